package dev.dispatcher.service.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Publisher;
import dev.dispatcher.TaskContext;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.hooks.TaskOutcome;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.message.BadMessageException;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.metrics.QueueWait;
import dev.dispatcher.wire.WireFormat;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Work} on the calling (virtual) thread: hooks, the timeout (interrupt at the
 * deadline; a run that ignores it is logged once as stuck, with its stack), the call itself, one
 * log line with the uuid, outcome and duration, then the message's callbacks (after success) or
 * errbacks (after failure or timeout).
 */
public final class TaskExecution {

  private static final Logger log = LoggerFactory.getLogger("dev.dispatcher.task");
  /** How long after its timeout's interrupt a still-running task counts as stuck. */
  static final Duration STUCK_AFTER = Duration.ofSeconds(1);

  /** What a bound task's context reaches in the daemon. */
  public record Services(Publisher publisher, BiFunction<String, String, List<String>> canceller, Consumer<TaskMessage> followUps,
      BiFunction<String, Map<String, ?>, Map<String, Object>> control) {}

  private final String nodeId;
  private final Hooks hooks;
  private final DispatcherMetrics metrics;
  private final ScheduledExecutorService timer;
  private final ObjectMapper mapper;
  private final Services services;
  private final TaskMessageReader followUpReader;

  /** @param followUpReader reads callbacks and errbacks, with the limits of messages from the wire: they came from it too */
  public TaskExecution(String nodeId, Hooks hooks, DispatcherMetrics metrics, ScheduledExecutorService timer, ObjectMapper mapper,
      Services services, TaskMessageReader followUpReader) {
    this.followUpReader = followUpReader;
    this.nodeId = nodeId;
    this.hooks = hooks;
    this.metrics = metrics;
    this.timer = timer;
    this.mapper = mapper;
    this.services = services;
  }

  public void run(Work work) {
    // uuid and task on every log line of this run (JSON logs carry them as fields)
    org.slf4j.MDC.put("uuid", work.message().uuid());
    org.slf4j.MDC.put("task", work.message().task());
    try {
      runLogged(work);
    } finally {
      org.slf4j.MDC.remove("uuid");
      org.slf4j.MDC.remove("task");
    }
  }

  private void runLogged(Work work) {
    TaskMessage message = work.message();
    RunState state = work.state();
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
    ScheduledFuture<?> deadline = scheduleTimeout(work, state);
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
      state.finished();
      if (deadline != null) {
        deadline.cancel(false);
      }
      if (state.isStuck()) {
        metrics.stuckNow.decrementAndGet();
        log.warn("task {} {} was stuck and returned after {} ms", message.uuid(), message.task(), (System.nanoTime() - startNanos) / 1_000_000);
      }
    }
    Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
    TaskOutcome.Status status = state.isCancelled() ? TaskOutcome.Status.CANCELLED
        : state.isTimedOut() ? TaskOutcome.Status.TIMED_OUT
        : error == null ? TaskOutcome.Status.SUCCEEDED : TaskOutcome.Status.FAILED;
    double waitSeconds = QueueWait.seconds(message.timePub(), startedAt);
    logOutcome(work, status, result, error, duration, waitSeconds);
    metrics.prometheus().recordRun(message.task(), duration.toNanos(), waitSeconds);
    if (!hooks.isEmpty()) {
      hooks.afterTask(run, new TaskOutcome(status, result, error, Instant.now(), duration));
    }
    if (message.hasFollowUps()) {
      switch (status) {
        case SUCCEEDED -> followUps(message, WireFormat.CALLBACKS);
        case FAILED, TIMED_OUT -> followUps(message, WireFormat.ERRBACKS);
        case CANCELLED -> { }
      }
    }
  }

  private ScheduledFuture<?> scheduleTimeout(Work work, RunState state) {
    double seconds = work.timeoutSeconds();
    if (seconds <= 0) {
      return null;
    }
    return timer.schedule(() -> {
      state.timeOut();
      timer.schedule(() -> checkStuck(work, state), STUCK_AFTER.toNanos(), TimeUnit.NANOSECONDS);
    }, (long) (seconds * 1e9), TimeUnit.NANOSECONDS);
  }

  /** After the interrupt: a run still going ignored it. Logged once, with where it is. */
  private void checkStuck(Work work, RunState state) {
    TaskMessage message = work.message();
    if (state.isFinished() || !state.markStuck()) {
      return;
    }
    metrics.stuckNow.incrementAndGet();
    metrics.stuckTotal.increment();
    Thread worker = state.thread();
    // The stack goes out as a throwable's: the log prints it below the line, and the message stays one line.
    StuckTask where = new StuckTask(worker == null ? new StackTraceElement[0] : worker.getStackTrace());
    log.warn("task {} {} is stuck: it ignored the interrupt at its {} s timeout {} ms ago and keeps its slot", message.uuid(),
        message.task(), work.timeoutSeconds(), STUCK_AFTER.toMillis(), where);
  }

  /** Submits each nested task message of the parent's callbacks or errbacks. */
  private void followUps(TaskMessage parent, String key) {
    JsonNode list = parent.raw().get(key);
    if (list == null || list.isNull()) {
      return;
    }
    if (!list.isArray()) {
      metrics.dropped("bad_followup");
      log.warn("task {}: '{}' is not an array of task messages; ignored", parent.uuid(), key);
      return;
    }
    for (JsonNode item : list) {
      if (!item.isObject()) {
        metrics.dropped("bad_followup");
        log.warn("task {}: an entry of '{}' is not a task message: {}", parent.uuid(), key, item);
        continue;
      }
      ObjectNode child = ((ObjectNode) item).deepCopy();
      child.put("origin", key.substring(0, key.length() - 1) + ":" + parent.uuid());
      try {
        TaskMessage followUp = followUpReader.read(child, null, UUID.randomUUID().toString());
        log.info("task {}: {} {} {}", parent.uuid(), key.substring(0, key.length() - 1), followUp.uuid(), followUp.task());
        services.followUps().accept(followUp);
      } catch (BadMessageException e) {
        metrics.dropped("bad_followup");
        log.warn("task {}: an entry of '{}' is not a usable task message: {}", parent.uuid(), key, e.getMessage());
      }
    }
  }

  private void logOutcome(Work work, TaskOutcome.Status status, Object result, Throwable error, Duration duration, double waitSeconds) {
    TaskMessage message = work.message();
    switch (status) {
      case SUCCEEDED -> {
        metrics.succeeded.increment();
        if (log.isInfoEnabled()) { // the formatting below is the costliest part of a no-op task
          log.info("task {} {} succeeded in {} ms (waited {} ms){}", message.uuid(), message.task(), millis(duration.toNanos()),
              waited(waitSeconds), result == null ? "" : " -> " + abbreviate(String.valueOf(result)));
        }
      }
      case TIMED_OUT -> {
        metrics.timedOut.increment();
        log.warn("task {} {} timed out: interrupted at its {} s timeout, ended after {} ms", message.uuid(), message.task(),
            work.timeoutSeconds(), millis(duration.toNanos()));
      }
      case CANCELLED -> {
        metrics.cancelled.increment();
        log.info("task {} {} cancelled after {} ms", message.uuid(), message.task(), millis(duration.toNanos()));
      }
      case FAILED -> {
        metrics.failed.increment();
        log.warn("task {} {} failed in {} ms: {}", message.uuid(), message.task(), millis(duration.toNanos()), error, error);
      }
    }
  }

  /** Publish-to-start time in ms; "?" when the message had no plausible time_pub (see {@link QueueWait}). */
  private static String waited(double waitSeconds) {
    return Double.isNaN(waitSeconds) ? "?" : millis((long) (waitSeconds * 1e9));
  }

  private TaskContext context(TaskMessage message) {
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = mapper.convertValue(message.raw(), Map.class);
    return new RunContext(message.uuid(), message.task(), message.channel(), nodeId, raw, services);
  }

  private record RunContext(String uuid, String taskName, String channel, String nodeId, Map<String, Object> message, Services services)
      implements TaskContext {

    @Override
    public Publisher publisher() {
      return services.publisher();
    }

    @Override
    public List<String> cancel(String uuid, String taskName) {
      if (uuid == null && taskName == null) {
        throw new IllegalArgumentException("cancel needs a uuid, a task name or both");
      }
      return services.canceller().apply(uuid, taskName);
    }

    @Override
    public Map<String, Object> control(String command, Map<String, ?> controlData) {
      return services.control().apply(command, controlData == null ? Map.of() : controlData);
    }
  }

  /** Milliseconds with two decimals, without the cost of String.format. */
  static String millis(long nanos) {
    long hundredths = Math.round(nanos / 1e4);
    long fraction = Math.abs(hundredths % 100);
    return (hundredths < 0 && hundredths > -100 ? "-" : "") + (hundredths / 100) + (fraction < 10 ? ".0" : ".") + fraction;
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 197) + "..." : text;
  }

  /** Where a stuck task's thread is: logged as a stack trace, never thrown. */
  private static final class StuckTask extends Exception {
    StuckTask(StackTraceElement[] stack) {
      super("the task's thread is here", null, false, true);
      setStackTrace(stack);
    }
  }
}
