package dev.dispatcher.service.pool;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.Publisher;
import dev.dispatcher.TaskContext;
import dev.dispatcher.service.events.EventKind;
import dev.dispatcher.service.events.StatusEvent;
import dev.dispatcher.service.events.StatusEvents;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherEvents;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one {@link Work} on the calling (virtual) thread: the hooks' {@code beforeTask}, the
 * timeout (interrupt at the deadline; a run that ignores it is logged once as stuck, with its
 * stack), the call itself; then it hands the {@link Outcome} to the {@link Completer}. What
 * follows a run (its log line, counters, {@code afterTask}, callbacks) is the completer's.
 */
public final class TaskExecution {

  private static final Logger log = LoggerFactory.getLogger("dev.dispatcher.task");
  /** How long after its timeout's interrupt a still-running task counts as stuck. */
  static final Duration STUCK_AFTER = Duration.ofSeconds(1);

  /** What a bound task's context reaches in the daemon. */
  public interface Services {
    Publisher publisher();

    /** Cancels this daemon's work by uuid and/or task name; returns the uuids cancelled. */
    List<String> cancel(String uuid, String taskName);

    /** Runs a control command in this daemon and returns its reply. */
    Map<String, Object> control(String command, Map<String, ?> controlData);

    /** A connection to the daemon's database with autocommit off, for a task's {@code context.transaction()}. */
    java.sql.Connection openTransaction() throws java.sql.SQLException;

    /** A durable run's progress, to be written to its row (coalesced: it must not block). */
    void progress(DurableClaim claim, Progress progress);
  }

  private final String nodeId;
  private final Hooks hooks;
  private final DispatcherEvents events;
  private final ScheduledExecutorService timer;
  private final ObjectMapper mapper;
  private final Services services;
  private final Completer completer;
  private final StatusEvents statusEvents;

  public TaskExecution(String nodeId, Hooks hooks, DispatcherEvents events, ScheduledExecutorService timer, ObjectMapper mapper,
      Services services, Completer completer) {
    this(nodeId, hooks, events, timer, mapper, services, completer, StatusEvents.NONE);
  }

  /** @param statusEvents where each run's start is published */
  public TaskExecution(String nodeId, Hooks hooks, DispatcherEvents events, ScheduledExecutorService timer, ObjectMapper mapper,
      Services services, Completer completer, StatusEvents statusEvents) {
    this.statusEvents = statusEvents;
    this.nodeId = nodeId;
    this.hooks = hooks;
    this.events = events;
    this.timer = timer;
    this.mapper = mapper;
    this.services = services;
    this.completer = completer;
  }

  public void run(Work work) {
    // uuid and task on every log line of this run and its completion (JSON logs carry them as fields)
    MDC.put("uuid", work.message().uuid());
    MDC.put("task", work.message().task());
    try {
      runLogged(work);
    } finally {
      MDC.remove("uuid");
      MDC.remove("task");
    }
  }

  private void runLogged(Work work) {
    TaskMessage message = work.message();
    RunState state = work.state();
    Instant startedAt = Instant.now();
    long startNanos = System.nanoTime();
    events.started(message.task());
    if (log.isDebugEnabled()) {
      log.debug("task {} {} started", message.uuid(), message.task());
    }
    TaskRun run = new TaskRun(message, nodeId, startedAt);
    DurableClaim claim = work.claim();
    statusEvents.publish(StatusEvent.of(message.uuid(), message.task(), EventKind.STARTED, claim != null, claim == null ? 0 : claim.attempt(),
        nodeId, startedAt));
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
        arguments[0] = context(message, state, work.claim());
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
        events.unstuck(message.task());
        log.warn("task {} {} was stuck and returned after {} ms", message.uuid(), message.task(), (System.nanoTime() - startNanos) / 1_000_000);
      }
    }
    Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
    Outcome outcome = state.isCancelled() ? new Outcome.Cancelled()
        : state.isTimedOut() ? new Outcome.TimedOut(error)
        : error == null ? new Outcome.Succeeded(result) : new Outcome.Failed(error);
    if (state.transaction() != null && work.claim() == null) {
      outcome = RunTransactions.end(state.transaction(), outcome); // a durable run's completion joins it instead
    }
    completer.completed(work, run, outcome, duration);
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
    events.stuck(message.task());
    Thread worker = state.thread();
    // The stack goes out as a throwable's: the log prints it below the line, and the message stays one line.
    StuckTask where = new StuckTask(worker == null ? new StackTraceElement[0] : worker.getStackTrace());
    log.warn("task {} {} is stuck: it ignored the interrupt at its {} s timeout {} ms ago and keeps its slot", message.uuid(),
        message.task(), work.timeoutSeconds(), STUCK_AFTER.toMillis(), where);
  }

  private TaskContext context(TaskMessage message, RunState state, DurableClaim claim) {
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = mapper.convertValue(message.raw(), Map.class);
    return new RunContext(message.uuid(), message.task(), message.channel(), nodeId, raw, services, state, claim);
  }

  private record RunContext(String uuid, String taskName, String channel, String nodeId, Map<String, Object> message, Services services,
      RunState state, DurableClaim claim) implements TaskContext {

    @Override
    public void progress(double fraction, String note) {
      Progress progress = new Progress(fraction, note);
      state.progress(progress);
      if (claim != null) {
        services.progress(claim, progress);
      }
    }

    @Override
    public java.sql.Connection transaction() throws java.sql.SQLException {
      java.sql.Connection open = state.transaction();
      if (open == null) {
        open = services.openTransaction();
        state.transaction(open);
      }
      return open;
    }

    @Override
    public Publisher publisher() {
      return services.publisher();
    }

    @Override
    public List<String> cancel(String uuid, String taskName) {
      if (uuid == null && taskName == null) {
        throw new IllegalArgumentException("cancel needs a uuid, a task name or both");
      }
      return services.cancel(uuid, taskName);
    }

    @Override
    public Map<String, Object> control(String command, Map<String, ?> controlData) {
      return services.control(command, controlData == null ? Map.of() : controlData);
    }
  }

  /** Where a stuck task's thread is: logged as a stack trace, never thrown. */
  private static final class StuckTask extends Exception {
    StuckTask(StackTraceElement[] stack) {
      super("the task's thread is here", null, false, true);
      setStackTrace(stack);
    }
  }
}
