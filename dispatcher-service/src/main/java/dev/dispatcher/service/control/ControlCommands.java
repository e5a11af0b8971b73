package dev.dispatcher.service.control;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.intake.BadMessageException;
import dev.dispatcher.service.intake.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.wire.ChunkAssembler;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * The control commands, an explicit allow-list. Each returns the reply body (the responder adds
 * {@code node_id}); a bad request throws {@link IllegalArgumentException} with the message to
 * reply with. Read-only commands never change the daemon.
 */
public final class ControlCommands {

  /** The names the daemon answers to. */
  public static final List<String> COMMANDS = List.of(
      "alive", "running", "cancel", "workers", "producers", "main", "chunks", "metrics", "status", "set_log_level", "run");

  private final DaemonView daemon;
  private final ObjectMapper mapper;

  public ControlCommands(DaemonView daemon, ObjectMapper mapper) {
    this.daemon = daemon;
    this.mapper = mapper;
  }

  /** Runs a command; an unknown one is an {@link UnknownCommandException}. */
  public ObjectNode run(String command, JsonNode data) {
    return switch (command) {
      case "alive" -> mapper.createObjectNode();
      case "running" -> running(data);
      case "cancel" -> cancel(data);
      case "workers" -> workers();
      case "producers" -> producers();
      case "main" -> main();
      case "chunks" -> chunks();
      case "metrics" -> metrics();
      case "status" -> status();
      case "set_log_level" -> setLogLevel(data);
      case "run" -> runTask(data);
      default -> throw new UnknownCommandException(command);
    };
  }

  /** A command not on the allow-list. */
  public static final class UnknownCommandException extends RuntimeException {
    UnknownCommandException(String command) {
      super("No control method " + command);
    }
  }

  private ObjectNode running(JsonNode data) {
    return located(daemon.work(), text(data, "uuid"), text(data, "task"));
  }

  private ObjectNode cancel(JsonNode data) {
    String uuid = text(data, "uuid");
    String task = text(data, "task");
    if (uuid == null && task == null) {
      throw new IllegalArgumentException("cancel needs control_data with a uuid, a task or both");
    }
    return located(daemon.cancel(uuid, task), null, null);
  }

  /** The wire format's keys: worker-<slot>, queued-<i>, blocked-<i> (held), delayed-<i>; values are the task messages. */
  private ObjectNode located(List<WorkerPool.Located> work, String uuid, String task) {
    ObjectNode reply = mapper.createObjectNode();
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
      reply.set(key, message.raw());
    }
    return reply;
  }

  private ObjectNode workers() {
    ObjectNode reply = mapper.createObjectNode();
    for (WorkerPool.Slot slot : daemon.slots()) {
      ObjectNode worker = reply.putObject("worker-" + slot.id());
      worker.put("status", slot.current() == null ? "ready" : "running");
      worker.put("current_task", slot.current() == null ? null : slot.current().message().task());
      worker.put("current_task_uuid", slot.current() == null ? null : slot.current().message().uuid());
      worker.put("finished_count", slot.finished());
    }
    return reply;
  }

  private ObjectNode producers() {
    DispatcherMetrics metrics = daemon.metrics();
    ObjectNode reply = mapper.createObjectNode();
    ObjectNode listener = reply.putObject("pg_notify");
    listener.put("connected", daemon.listenerConnected());
    listener.set("channels", mapper.valueToTree(daemon.channels()));
    listener.put("received", metrics.received.sum());
    listener.put("connections", metrics.listenerConnections.sum());
    listener.put("losses", metrics.listenerLosses.sum());
    listener.put("self_checks", metrics.selfChecks.sum());
    listener.put("self_check_failures", metrics.selfCheckFailures.sum());
    long roundTrip = metrics.lastSelfCheckNanos.get();
    if (roundTrip >= 0) {
      listener.put("last_self_check_ms", roundTrip / 1e6);
    }
    reply.putObject("schedules").set("names", mapper.valueToTree(daemon.scheduleNames()));
    return reply;
  }

  private ObjectNode main() {
    DispatcherMetrics metrics = daemon.metrics();
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
    reply.put("received", metrics.received.sum());
    reply.set("dropped", mapper.valueToTree(metrics.droppedByReason()));
    return reply;
  }

  private ObjectNode chunks() {
    ChunkAssembler.Stats stats = daemon.chunkStats();
    ObjectNode reply = mapper.createObjectNode();
    reply.put("completed", stats.completed.sum());
    reply.put("expired", stats.expired.sum());
    reply.put("invalid", stats.invalid.sum());
    reply.put("evicted_for_space", stats.evictedForSpace.sum());
    return reply;
  }

  private ObjectNode metrics() {
    DispatcherMetrics metrics = daemon.metrics();
    ObjectNode reply = mapper.createObjectNode();
    reply.put("received", metrics.received.sum());
    reply.put("started", metrics.started.sum());
    reply.put("succeeded", metrics.succeeded.sum());
    reply.put("failed", metrics.failed.sum());
    reply.put("timed_out", metrics.timedOut.sum());
    reply.put("cancelled", metrics.cancelled.sum());
    reply.put("stuck", metrics.stuckNow.get());
    reply.set("dropped", mapper.valueToTree(metrics.droppedByReason()));
    reply.put("listener_connections", metrics.listenerConnections.sum());
    reply.put("listener_losses", metrics.listenerLosses.sum());
    return reply;
  }

  private ObjectNode status() {
    ObjectNode reply = mapper.createObjectNode();
    reply.set("alive", mapper.createObjectNode());
    reply.set("running", running(null));
    reply.set("workers", workers());
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
    Level level = Level.toLevel(levelName.toUpperCase(Locale.ROOT), null);
    if (level == null) {
      throw new IllegalArgumentException("unknown log level '" + levelName + "' (TRACE, DEBUG, INFO, WARN or ERROR)");
    }
    String name = text(data, "logger");
    Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger(name == null ? org.slf4j.Logger.ROOT_LOGGER_NAME : name);
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
      task = TaskMessage.from(message, null, UUID.randomUUID().toString());
    } catch (BadMessageException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    daemon.run(task);
    ObjectNode reply = mapper.createObjectNode();
    reply.set("ack", task.raw());
    return reply;
  }

  private static String text(JsonNode data, String key) {
    if (data == null || !data.isObject()) {
      return null;
    }
    JsonNode value = data.get(key);
    return value == null || value.isNull() ? null : value.asText();
  }
}
