package dev.dispatcher.service.control;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.message.BadMessageException;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.metrics.EventCounts;
import dev.dispatcher.service.metrics.OutcomeKind;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.BindException;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.wire.ChunkAssembler;
import java.util.List;
import java.util.Locale;
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

  /** The log levels set_log_level accepts (Logback's OFF and ALL are not among them). */
  public static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

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
    };
  }

  /** A command not on the allow-list. */
  public static final class UnknownCommandException extends RuntimeException {
    UnknownCommandException(String command) {
      super("No control method " + command);
    }
  }

  private ObjectNode running(JsonNode data, ReplyBudget budget) {
    return located(daemon.work(), text(data, "uuid"), text(data, "task"), budget);
  }

  private ObjectNode cancel(JsonNode data, ReplyBudget budget) {
    String uuid = text(data, "uuid");
    String task = text(data, "task");
    if (uuid == null && task == null) {
      throw new IllegalArgumentException("cancel needs control_data with a uuid, a task or both");
    }
    return located(daemon.cancel(uuid, task), null, null, budget);
  }

  /**
   * The wire format's keys: worker-<slot>, queued-<i>, blocked-<i> (held), delayed-<i>; values are
   * the task messages. Capped: see {@link ReplyBudget}.
   */
  private ObjectNode located(List<WorkerPool.Located> work, String uuid, String task, ReplyBudget budget) {
    ObjectNode reply = mapper.createObjectNode();
    ReplyBudget.Listing listing = budget.listing(reply);
    int queued = 0;
    int blocked = 0;
    int delayed = 0;
    for (WorkerPool.Located located : work) {
      TaskMessage message = located.work().message();
      if ((uuid != null && !uuid.equals(message.uuid())) || (task != null && !task.equals(message.task()))) {
        continue;
      }
      String key = switch (located.place()) {
        case RUNNING -> "worker-" + located.work().state().slot();
        case QUEUED -> "queued-" + queued++;
        case HELD -> "blocked-" + blocked++;
        case DELAYED -> "delayed-" + delayed++;
      };
      listing.add(key, message.raw());
    }
    return listing.finish();
  }

  private ObjectNode workers(ReplyBudget budget) {
    ObjectNode reply = mapper.createObjectNode();
    ReplyBudget.Listing listing = budget.listing(reply);
    for (WorkerPool.Slot slot : daemon.slots()) {
      ObjectNode worker = mapper.createObjectNode();
      worker.put("status", slot.current() == null ? "ready" : "running");
      worker.put("current_task", slot.current() == null ? null : slot.current().message().task());
      worker.put("current_task_uuid", slot.current() == null ? null : slot.current().message().uuid());
      worker.put("finished_count", slot.finished());
      listing.add("worker-" + slot.id(), worker);
    }
    return listing.finish();
  }

  private ObjectNode producers() {
    EventCounts counts = daemon.counts();
    ObjectNode reply = mapper.createObjectNode();
    ObjectNode listener = reply.putObject("pg_notify");
    listener.put("connected", daemon.listenerConnected());
    listener.set("channels", mapper.valueToTree(daemon.channels()));
    listener.put("received", counts.received());
    listener.put("connections", counts.listenerConnections());
    listener.put("losses", counts.listenerLosses());
    listener.put("self_checks", counts.selfChecks());
    listener.put("self_check_failures", counts.selfCheckFailures());
    counts.lastSelfCheckNanos().ifPresent(roundTrip -> listener.put("last_self_check_ms", roundTrip / 1e6));
    reply.putObject("schedules").set("names", mapper.valueToTree(daemon.scheduleNames()));
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
    return reply;
  }

  private ObjectNode chunks() {
    EventCounts counts = daemon.counts();
    ObjectNode reply = mapper.createObjectNode();
    reply.put("completed", counts.chunks(ChunkAssembler.Result.COMPLETED));
    reply.put("expired", counts.chunks(ChunkAssembler.Result.EXPIRED));
    reply.put("invalid", counts.chunks(ChunkAssembler.Result.INVALID));
    reply.put("evicted_for_space", counts.chunks(ChunkAssembler.Result.EVICTED_FOR_SPACE));
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
    return reply;
  }

  private ObjectNode status(ReplyBudget budget) {
    ObjectNode reply = mapper.createObjectNode();
    reply.set("alive", mapper.createObjectNode());
    reply.set("running", running(null, budget));
    reply.set("workers", workers(budget));
    reply.set("producers", producers());
    reply.set("main", main());
    reply.set("chunks", chunks());
    reply.set("metrics", metrics());
    return reply;
  }

  private ObjectNode setLogLevel(JsonNode data) {
    String levelName = text(data, "level");
    if (levelName == null) {
      throw new IllegalArgumentException("set_log_level needs control_data.level (TRACE, DEBUG, INFO, WARN or ERROR)");
    }
    String upper = levelName.toUpperCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(upper)) {
      throw new IllegalArgumentException("unknown log level '" + cut(levelName) + "' (TRACE, DEBUG, INFO, WARN or ERROR)");
    }
    Level level = Level.toLevel(upper);
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
    TaskMessage task;
    try {
      task = messages.read(message, null, UUID.randomUUID().toString());
    } catch (BadMessageException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    checkRunnable(task);
    daemon.run(task);
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
  private static String cut(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  private static String text(JsonNode data, String key) {
    if (data == null || !data.isObject()) {
      return null;
    }
    JsonNode value = data.get(key);
    return value == null || value.isNull() ? null : value.asText();
  }
}
