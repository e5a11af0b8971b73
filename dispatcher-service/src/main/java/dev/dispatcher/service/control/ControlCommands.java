package dev.dispatcher.service.control;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.health.HealthStatus;
import dev.dispatcher.service.message.BadMessageException;
import dev.dispatcher.service.message.TaskFilter;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.metrics.EventCounts;
import dev.dispatcher.service.metrics.OutcomeKind;
import dev.dispatcher.service.pool.Cancellations;
import dev.dispatcher.service.pool.Progress;
import dev.dispatcher.service.pool.RunState;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.BindException;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * The control commands ({@link Command}). Each returns the reply body (the responder adds
 * {@code node_id}); a bad request throws {@link IllegalArgumentException} with the message to
 * reply with. Read-only commands never change the daemon. Listings are capped by
 * {@link ReplyLimits} (see {@link ReplyBudget} for the {@code truncated} marker). Whether a
 * command may run at all is the {@link ControlPolicy}'s decision, made before.
 */
public final class ControlCommands {

  /** The Python dispatcher's producer names, which its control client and tests read. */
  static final String PG_NOTIFY_PRODUCER = "pg_notify-producer";
  static final String CONTROL_PRODUCER = "control-producer";

  private final DaemonView daemon;
  private final TaskMessageReader messages;
  private final ObjectMapper mapper;
  private final ReplyLimits limits;
  private final DispatcherEvents events;

  /**
   * @param events told of the tasks {@code run} refuses (counted as the dispatch loop would count them)
   * @param messages reads a task sent with {@code run}, with the limits of one from the wire
   */
  public ControlCommands(DaemonView daemon, ObjectMapper mapper, ReplyLimits limits, DispatcherEvents events, TaskMessageReader messages) {
    this.messages = messages;
    this.daemon = daemon;
    this.mapper = mapper;
    this.limits = limits;
    this.events = events;
  }

  /** Runs a command by name; an unknown one is an {@link UnknownCommandException}. */
  public ObjectNode run(String command, JsonNode data) {
    return run(Command.of(command).orElseThrow(() -> new UnknownCommandException(command)), data);
  }

  /** Runs a command. */
  public ObjectNode run(Command command, JsonNode data) {
    ReplyBudget budget = new ReplyBudget(limits, mapper);
    return switch (command) {
      case ALIVE -> mapper.createObjectNode();
      case AIO_TASKS -> mapper.createObjectNode(); // a JVM runs no asyncio tasks: the well-formed empty listing
      case RUNNING -> running(data, budget);
      case CANCEL -> cancel(data, budget);
      case WORKERS -> workers(budget);
      case PRODUCERS -> producers();
      case MAIN -> main();
      case CHUNKS -> chunks();
      case METRICS -> metrics();
      case STATUS -> status(budget);
      case SET_LOG_LEVEL -> setLogLevel(data);
      case RUN -> runTask(data);
      case SUSPEND -> suspension(data, true);
      case RESUME -> suspension(data, false);
    };
  }

  /** A command not on the allow-list. */
  public static final class UnknownCommandException extends RuntimeException {
    UnknownCommandException(String command) {
      super("No control method " + command);
    }
  }

  /** Running tasks carry when they started: {@code started_at} (UTC, ISO-8601) and {@code elapsed_seconds}. */
  private ObjectNode running(JsonNode data, ReplyBudget budget) {
    TaskFilter filter = TaskFilter.of(data);
    List<WorkerPool.Located> matching = daemon.work().stream().filter(located -> filter.matches(located.work().message())).toList();
    return located(matching, true, budget);
  }

  private ObjectNode cancel(JsonNode data, ReplyBudget budget) {
    TaskFilter filter = TaskFilter.of(data);
    if (filter.isEmpty()) {
      throw new IllegalArgumentException("cancel needs control_data with task, args, kwargs or uuid (all that are given must match)");
    }
    Cancellations.Result cancelled = daemon.cancel(filter);
    ObjectNode reply = mapper.createObjectNode();
    ReplyBudget.Listing listing = budget.listing(reply);
    addLocated(listing, cancelled.work(), false);
    // durable rows no node had claimed yet, cancelled in the table: durable-<i>, an object per row
    // (uuid, task, channel, state), so a consumer that reads every value as a task message still can
    int i = 0;
    for (Cancellations.CancelledRow row : cancelled.rows()) {
      listing.add("durable-" + i++, mapper.createObjectNode().put("uuid", row.uuid()).put("task", row.task())
          .put("channel", row.channel()).put("state", "cancelled"));
    }
    listing.addUnlisted(cancelled.rowsCancelled() - cancelled.rows().size());
    return listing.finish();
  }

  /**
   * The wire format's keys: worker-<slot>, queued-<i>, blocked-<i> (held), delayed-<i>; values are
   * the task messages. Capped: see {@link ReplyBudget}.
   */
  private ObjectNode located(List<WorkerPool.Located> work, boolean runTimes, ReplyBudget budget) {
    ObjectNode reply = mapper.createObjectNode();
    ReplyBudget.Listing listing = budget.listing(reply);
    addLocated(listing, work, runTimes);
    return listing.finish();
  }

  private void addLocated(ReplyBudget.Listing listing, List<WorkerPool.Located> work, boolean runTimes) {
    int queued = 0;
    int blocked = 0;
    int delayed = 0;
    for (WorkerPool.Located located : work) {
      TaskMessage message = located.work().message();
      String key = switch (located.place()) {
        case RUNNING -> "worker-" + located.work().state().slot();
        case QUEUED -> "queued-" + queued++;
        case HELD -> "blocked-" + blocked++;
        case DELAYED -> "delayed-" + delayed++;
      };
      listing.add(key, runTimes && located.place() == WorkerPool.Place.RUNNING ? withRunTimes(message, located.work().state())
          : message.raw());
    }
  }

  /** A copy of the message (its own keys shared, never changed) with when its run started and how long it has run. */
  private ObjectNode withRunTimes(TaskMessage message, RunState state) {
    Instant startedAt = state.startedAt();
    if (startedAt == null) {
      return message.raw(); // in its slot, not begun yet
    }
    ObjectNode copy = mapper.createObjectNode();
    copy.setAll(message.raw());
    copy.put("started_at", startedAt.truncatedTo(ChronoUnit.MILLIS).toString());
    copy.put("elapsed_seconds", Math.round(state.runningNanos() / 1e6) / 1e3);
    Progress progress = state.progress();
    if (progress != null) {
      copy.put("progress", progress.fraction());
      if (progress.note() != null) {
        copy.put("progress_note", progress.note());
      }
    }
    return copy;
  }

  /** Ours ({@code status}, {@code current_task}, ...) and the Python dispatcher's keys; every slot lives as long as the daemon. */
  private ObjectNode workers(ReplyBudget budget) {
    ObjectNode reply = mapper.createObjectNode();
    ReplyBudget.Listing listing = budget.listing(reply);
    long pid = ProcessHandle.current().pid();
    double age = seconds(daemon.uptimeNanos());
    for (WorkerPool.Slot slot : daemon.slots()) {
      Work current = slot.current();
      ObjectNode worker = mapper.createObjectNode();
      worker.put("worker_id", slot.id());
      worker.put("pid", pid); // the slots are virtual threads of this process
      worker.put("status", current == null ? "ready" : "running");
      worker.put("finished_count", slot.finished());
      worker.put("current_task", current == null ? null : current.message().task());
      worker.put("current_task_uuid", current == null ? null : current.message().uuid());
      worker.put("active_cancel", current != null && current.state().isCancelled());
      worker.put("age", age);
      listing.add("worker-" + slot.id(), worker);
    }
    return listing.finish();
  }

  /**
   * Ours ({@code pg_notify}, {@code schedules}) and the Python dispatcher's producers
   * ({@code pg_notify-producer}, {@code control-producer}). The listener's state is that of
   * {@code GET /health} at the same instant.
   */
  private ObjectNode producers() {
    EventCounts counts = daemon.counts();
    HealthStatus health = daemon.health();
    double uptime = seconds(daemon.uptimeNanos());
    ObjectNode reply = mapper.createObjectNode();
    ObjectNode listener = reply.putObject("pg_notify");
    listener.put("connected", health.listenerConnected());
    listener.put("last_self_check_passed", health.lastSelfCheckPassed());
    listener.set("channels", mapper.valueToTree(daemon.channels()));
    listener.put("received", counts.received());
    listener.put("connections", counts.listenerConnections());
    listener.put("losses", counts.listenerLosses());
    listener.put("self_checks", counts.selfChecks());
    listener.put("self_check_failures", counts.selfCheckFailures());
    counts.lastSelfCheckNanos().ifPresent(roundTrip -> listener.put("last_self_check_ms", roundTrip / 1e6));
    reply.putObject("schedules").set("names", mapper.valueToTree(daemon.scheduleNames()));

    ObjectNode notify = reply.putObject(PG_NOTIFY_PRODUCER);
    notify.put("produced_count", counts.received());
    notify.put("uptime_seconds", uptime);
    notify.put("recycle_count", Math.max(0, counts.listenerConnections() - 1)); // reconnections
    ObjectNode selfCheck = notify.putObject("broker_self_check");
    long passed = counts.selfChecks();
    selfCheck.put("enabled", true); // the listener always checks a quiet connection
    selfCheck.put("success_count", passed);
    if (passed > 0) {
      selfCheck.put("average_time_seconds", counts.selfCheckTotalNanos() / 1e9 / passed);
    } else {
      selfCheck.putNull("average_time_seconds");
    }
    counts.selfCheckMaxNanos().ifPresentOrElse(max -> selfCheck.put("max_time_seconds", max / 1e9),
        () -> selfCheck.putNull("max_time_seconds"));
    ObjectNode control = reply.putObject(CONTROL_PRODUCER);
    control.put("produced_count", counts.runSubmitted());
    control.put("uptime_seconds", uptime);
    return reply;
  }

  private ObjectNode main() {
    EventCounts counts = daemon.counts();
    int running = 0;
    int queued = 0;
    int held = 0;
    int delayed = 0;
    for (WorkerPool.Located located : daemon.work()) {
      switch (located.place()) {
        case RUNNING -> running++;
        case QUEUED -> queued++;
        case HELD -> held++;
        case DELAYED -> delayed++;
      }
    }
    ObjectNode reply = mapper.createObjectNode();
    reply.put("max_workers", daemon.maxWorkers());
    reply.put("running", running);
    reply.put("queued", queued);
    reply.put("blocked", held);
    reply.put("delayed", delayed);
    reply.put("backlog", daemon.backlog());
    reply.put("received", counts.received());
    reply.set("dropped", mapper.valueToTree(counts.droppedByReason()));
    reply.set("control_refused", mapper.valueToTree(counts.controlRefusedByReason()));
    HealthStatus health = daemon.health();
    reply.put("health", health.label());
    if (health.reason() != null) {
      reply.put("health_reason", health.reason());
    }
    // the Python dispatcher's keys
    reply.put("received_count", counts.received());
    reply.put("control_count", counts.controlReceived());
    reply.put("pid", ProcessHandle.current().pid());
    ObjectNode pool = reply.putObject("pool");
    pool.put("next_worker_id", daemon.maxWorkers()); // slots 0 to max_workers - 1 exist from the start
    pool.put("finished_count", counts.finished(OutcomeKind.SUCCEEDED) + counts.finished(OutcomeKind.FAILED));
    pool.put("canceled_count", counts.finished(OutcomeKind.CANCELLED) + counts.finished(OutcomeKind.TIMED_OUT));
    pool.put("retirement_count", 0); // slots are never retired
    return reply;
  }

  /** Ours, and the Python dispatcher's {@code status} and {@code partials} (its partials list each message; ours stay empty). */
  private ObjectNode chunks() {
    EventCounts counts = daemon.counts();
    ObjectNode reply = mapper.createObjectNode();
    reply.put("completed", counts.chunks(ChunkAssembler.Result.COMPLETED));
    reply.put("expired", counts.chunks(ChunkAssembler.Result.EXPIRED));
    reply.put("invalid", counts.chunks(ChunkAssembler.Result.INVALID));
    reply.put("evicted_for_space", counts.chunks(ChunkAssembler.Result.EVICTED_FOR_SPACE));
    ObjectNode status = reply.putObject("status");
    status.put("total_chunks_received", counts.chunksReceived());
    status.put("successful_assemblies", counts.chunks(ChunkAssembler.Result.COMPLETED));
    status.put("errored_assemblies", counts.chunks(ChunkAssembler.Result.INVALID) + counts.chunks(ChunkAssembler.Result.EVICTED_FOR_SPACE));
    status.put("timed_out_assemblies", counts.chunks(ChunkAssembler.Result.EXPIRED));
    status.put("active_messages", daemon.pendingChunks());
    reply.putObject("partials");
    return reply;
  }

  private ObjectNode metrics() {
    EventCounts counts = daemon.counts();
    ObjectNode reply = mapper.createObjectNode();
    reply.put("received", counts.received());
    reply.put("started", counts.started());
    reply.put("succeeded", counts.finished(OutcomeKind.SUCCEEDED));
    reply.put("failed", counts.finished(OutcomeKind.FAILED));
    reply.put("timed_out", counts.finished(OutcomeKind.TIMED_OUT));
    reply.put("cancelled", counts.finished(OutcomeKind.CANCELLED));
    reply.put("stuck", counts.stuck());
    reply.set("dropped", mapper.valueToTree(counts.droppedByReason()));
    reply.put("listener_connections", counts.listenerConnections());
    reply.put("listener_losses", counts.listenerLosses());
    reply.set("control_refused", mapper.valueToTree(counts.controlRefusedByReason()));
    reply.put("control_handlers_active", counts.controlHandlersActive());
    reply.put("control_handlers_peak", counts.controlHandlersPeak());
    reply.put("durable_claimed", counts.durableClaimed());
    reply.put("durable_claims", counts.durableClaims());
    reply.put("durable_empty_claims", counts.durableEmptyClaims());
    reply.put("durable_retries", counts.durableRetries());
    reply.put("durable_dead_letters", counts.durableDeadLetters());
    reply.put("durable_lease_expiries", counts.durableLeaseExpiries());
    return reply;
  }

  /** The read-only commands, keyed as the Python dispatcher keys its {@code status}. */
  private ObjectNode status(ReplyBudget budget) {
    ObjectNode reply = mapper.createObjectNode();
    reply.set("running", running(null, budget));
    reply.set("aio_tasks", mapper.createObjectNode());
    reply.set("workers", workers(budget));
    reply.set("producers", producers());
    reply.set("metrics", metrics());
    reply.set("main", main());
    reply.set("chunks", chunks());
    reply.set("durable", mapper.valueToTree(daemon.durableRowsByState())); // the queue in the table, every node's rows
    reply.set("suspended", mapper.valueToTree(daemon.suspended())); // cluster-wide
    return reply;
  }

  /** {@code {"task": X, "changed": true|false, "suspended": [every suspended task type]}}. */
  private ObjectNode suspension(JsonNode data, boolean suspend) {
    String task = text(data, WireFormat.TASK);
    boolean changed;
    try {
      changed = suspend ? daemon.suspend(task) : daemon.resume(task);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot " + (suspend ? "suspend" : "resume") + " " + cut(task) + ": " + cut(String.valueOf(e.getMessage())), e);
    }
    ObjectNode reply = mapper.createObjectNode();
    reply.put("task", task);
    reply.put("changed", changed);
    reply.set("suspended", mapper.valueToTree(daemon.suspended()));
    return reply;
  }

  private ObjectNode setLogLevel(JsonNode data) {
    Level level = LogLevels.of(data == null || !data.isObject() ? null : data.get("level"));
    String name = text(data, "logger");
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    // only loggers that exist: a new name would add a logger to the context for good
    Logger logger = name == null ? context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) : context.exists(name);
    if (logger == null) {
      throw new IllegalArgumentException("no logger named '" + cut(name) + "' (give a logger this daemon has, e.g. a package name, or none for the root)");
    }
    Level previous = logger.getEffectiveLevel();
    logger.setLevel(level);
    ObjectNode reply = mapper.createObjectNode();
    reply.put("logger", logger.getName());
    reply.put("level", level.toString());
    reply.put("previous_level", previous.toString());
    return reply;
  }

  private ObjectNode runTask(JsonNode data) {
    if (data == null || !data.isObject()) {
      throw new IllegalArgumentException("run needs control_data: a task message such as {\"task\": \"app.tasks.x\", \"args\": [1]}");
    }
    ObjectNode message = ((ObjectNode) data).deepCopy();
    message.put("origin", "control:run");
    if (!message.has(WireFormat.TIME_PUB)) {
      Instant now = Instant.now(); // published now, as far as this daemon knows: its wait is measured from here
      message.put(WireFormat.TIME_PUB, now.getEpochSecond() + now.getNano() / 1e9);
    }
    TaskMessage task;
    try {
      task = messages.read(message, null, UUID.randomUUID().toString());
    } catch (BadMessageException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    checkRunnable(task);
    daemon.run(task);
    events.runSubmitted();
    ObjectNode reply = mapper.createObjectNode();
    reply.set("ack", task.raw());
    return reply;
  }

  /**
   * Checked here so that what is acknowledged is what will run: the dispatch loop would drop an
   * unknown task or arguments that do not bind after the ack. Counted as the loop would count it.
   */
  private void checkRunnable(TaskMessage message) {
    RegisteredTask task = daemon.task(message.task());
    if (task == null) {
      events.dropped(DropReason.UNKNOWN_TASK);
      throw new IllegalArgumentException("no registered task named '" + cut(message.task()) + "'");
    }
    try {
      task.bind(message.args(), message.kwargs());
    } catch (BindException e) {
      events.dropped(DropReason.BAD_ARGUMENTS);
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** A value from the wire, cut for an error reply. */
  static String cut(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e6) / 1e3;
  }

  private static String text(JsonNode data, String key) {
    if (data == null || !data.isObject()) {
      return null;
    }
    JsonNode value = data.get(key);
    return value == null || value.isNull() ? null : value.asText();
  }
}
