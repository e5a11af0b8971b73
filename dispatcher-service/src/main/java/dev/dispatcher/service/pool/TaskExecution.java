package dev.dispatcher.service.pool;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.TaskContext;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.hooks.TaskOutcome;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.intake.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Work} on the calling (virtual) thread: hooks, the timeout, the call itself,
 * and one log line with the uuid, outcome and duration.
 */
public final class TaskExecution {

  private static final Logger log = LoggerFactory.getLogger("dev.dispatcher.task");

  private final String nodeId;
  private final Hooks hooks;
  private final DispatcherMetrics metrics;
  private final ScheduledExecutorService timer;
  private final ObjectMapper mapper;

  public TaskExecution(String nodeId, Hooks hooks, DispatcherMetrics metrics, ScheduledExecutorService timer, ObjectMapper mapper) {
    this.nodeId = nodeId;
    this.hooks = hooks;
    this.metrics = metrics;
    this.timer = timer;
    this.mapper = mapper;
  }

  public void run(Work work) {
    TaskMessage message = work.message();
    Instant startedAt = Instant.now();
    long startNanos = System.nanoTime();
    metrics.started.increment();
    if (log.isDebugEnabled()) {
      log.debug("task {} {} started", message.uuid(), message.task());
    }
    TaskRun run = new TaskRun(message, nodeId, startedAt);
    if (!hooks.isEmpty()) {
      hooks.beforeTask(run);
    }
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> deadline = scheduleTimeout(message, Thread.currentThread(), timedOut);
    Object result = null;
    Throwable error = null;
    try {
      Object[] arguments = work.arguments();
      if (work.task().definition().bind()) {
        arguments = arguments.clone();
        arguments[0] = context(message);
      }
      result = work.task().method().invoke(work.task().target(), arguments);
    } catch (InvocationTargetException e) {
      error = e.getCause();
    } catch (IllegalAccessException | RuntimeException e) {
      error = e;
    } finally {
      if (deadline != null) {
        deadline.cancel(false);
      }
      if (timedOut.get()) {
        Thread.interrupted(); // the interrupt was ours; do not leak it into the next task on this thread
      }
    }
    Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
    TaskOutcome.Status status = timedOut.get() ? TaskOutcome.Status.TIMED_OUT
        : error == null ? TaskOutcome.Status.SUCCEEDED : TaskOutcome.Status.FAILED;
    logOutcome(message, status, result, error, duration, startedAt);
    if (!hooks.isEmpty()) {
      hooks.afterTask(run, new TaskOutcome(status, result, error, Instant.now(), duration));
    }
  }

  private ScheduledFuture<?> scheduleTimeout(TaskMessage message, Thread worker, AtomicBoolean timedOut) {
    double seconds = message.timeoutSeconds() > 0 ? message.timeoutSeconds() : 0;
    if (seconds <= 0) {
      return null;
    }
    return timer.schedule(() -> {
      timedOut.set(true);
      worker.interrupt();
    }, (long) (seconds * 1e9), TimeUnit.NANOSECONDS);
  }

  private void logOutcome(TaskMessage message, TaskOutcome.Status status, Object result, Throwable error, Duration duration, Instant startedAt) {
    switch (status) {
      case SUCCEEDED -> {
        metrics.succeeded.increment();
        if (log.isInfoEnabled()) { // the formatting below is the costliest part of a no-op task
          log.info("task {} {} succeeded in {} ms (waited {} ms){}", message.uuid(), message.task(), millis(duration.toNanos()),
              waited(message, startedAt), result == null ? "" : " -> " + abbreviate(String.valueOf(result)));
        }
      }
      case TIMED_OUT -> {
        metrics.timedOut.increment();
        log.warn("task {} {} timed out after {} ms (timeout {} s)", message.uuid(), message.task(), millis(duration.toNanos()), message.timeoutSeconds());
      }
      case FAILED -> {
        metrics.failed.increment();
        log.warn("task {} {} failed in {} ms: {}", message.uuid(), message.task(), millis(duration.toNanos()), error, error);
      }
    }
  }

  /** Publish-to-start time in ms, from the message's time_pub; "?" when it had none. */
  private static String waited(TaskMessage message, Instant startedAt) {
    if (Double.isNaN(message.timePub())) {
      return "?";
    }
    return millis((long) ((startedAt.getEpochSecond() - message.timePub() + startedAt.getNano() / 1e9) * 1e9));
  }

  private TaskContext context(TaskMessage message) {
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = mapper.convertValue(message.raw(), Map.class);
    return new RunContext(message.uuid(), message.task(), message.channel(), nodeId, raw);
  }

  private record RunContext(String uuid, String taskName, String channel, String nodeId, Map<String, Object> message)
      implements TaskContext {}

  /** Milliseconds with two decimals, without the cost of String.format. */
  static String millis(long nanos) {
    long hundredths = Math.round(nanos / 1e4);
    long fraction = Math.abs(hundredths % 100);
    return (hundredths < 0 && hundredths > -100 ? "-" : "") + (hundredths / 100) + (fraction < 10 ? ".0" : ".") + fraction;
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 197) + "..." : text;
  }
}
