package dev.dispatcher.service.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Task;
import dev.dispatcher.service.message.MessageLimits;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.message.TestMessages;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.metrics.EventCounts;
import dev.dispatcher.service.metrics.OutcomeKind;
import dev.dispatcher.service.metrics.Refusal;
import dev.dispatcher.service.pool.TestPools;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reply shapes of every command, over a real worker pool holding running, queued, held and delayed work. */
class ControlCommandsTest {

  static final class Tasks {
    @Task(name = "ctl.block")
    static void block(long n) {}
  }

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch started = new CountDownLatch(1);
  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final List<TaskMessage> ran = new ArrayList<>();
  private WorkerPool pool;
  private RegisteredTask block;
  private DaemonView view;
  private ControlCommands commands;

  @BeforeEach
  void setUp() throws Exception {
    block = TaskRegistry.of(List.of(Tasks.class.getDeclaredMethod("block", long.class)), mapper).find("ctl.block");
    pool = new WorkerPool(1, work -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, timer, (work, admission) -> { }, TestPools.UNBOUNDED);
    view = new DaemonView() {
      public String nodeId() { return "n1"; }
      public int maxWorkers() { return pool.maxWorkers(); }
      public List<WorkerPool.Located> work() { return pool.snapshot(); }
      public List<WorkerPool.Slot> slots() { return pool.slots(); }
      public List<WorkerPool.Located> cancel(String uuid, String taskName) { return pool.cancel(uuid, taskName); }
      public EventCounts counts() { return metrics.counts(); }
      public int backlog() { return 3; }
      public boolean listenerConnected() { return true; }
      public List<String> channels() { return List.of("tasks"); }
      public List<String> scheduleNames() { return List.of("nightly"); }
      public RegisteredTask task(String name) { return "ctl.block".equals(name) ? block : null; }
      public void run(TaskMessage message) { ran.add(message); }
    };
    commands = new ControlCommands(view, mapper, ReplyLimits.DEFAULT, metrics, new TaskMessageReader(mapper, MessageLimits.TRUSTED));
    pool.admit(work("running", "parallel", 1));
    pool.admit(work("queued", "parallel", 2));
    pool.admit(work("held", "serial", 2));
    pool.admitAfter(work("delayed", "parallel", 3), TimeUnit.MINUTES.toNanos(5));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    pool.shutdown(Duration.ofSeconds(5));
    timer.shutdownNow();
  }

  private Work work(String uuid, String onDuplicate, long arg) {
    ObjectNode message = mapper.createObjectNode().put("task", "ctl.block").put("uuid", uuid).put("on_duplicate", onDuplicate);
    message.putArray("args").add(arg);
    return new Work(TestMessages.of(message, "tasks", "x"), block, new Object[] {arg});
  }

  private JsonNode data(String json) throws Exception {
    return mapper.readTree(json);
  }

  @Test
  void aliveIsEmpty() {
    assertThat(commands.run("alive", null).size()).isZero();
  }

  @Test
  void runningListsEveryPlaceWithTheWholeMessage() throws Exception {
    ObjectNode reply = commands.run("running", null);
    assertThat(reply.fieldNames()).toIterable().containsExactly("worker-0", "queued-0", "blocked-0", "delayed-0");
    assertThat(reply.get("worker-0").get("uuid").textValue()).isEqualTo("running");
    assertThat(reply.get("blocked-0").get("on_duplicate").textValue()).isEqualTo("serial");
    assertThat(reply.get("delayed-0").get("channel").textValue()).isEqualTo("tasks");
    assertThat(commands.run("running", data("{\"uuid\": \"queued\"}")).fieldNames()).toIterable().containsExactly("queued-0");
    assertThat(commands.run("running", data("{\"task\": \"other\"}")).size()).isZero();
  }

  @Test
  void cancelRemovesWhatMatchesAndRepliesInTheSameShape() throws Exception {
    ObjectNode reply = commands.run("cancel", data("{\"uuid\": \"delayed\"}"));
    assertThat(reply.fieldNames()).toIterable().containsExactly("delayed-0");
    assertThat(pool.delayed()).isZero();
    assertThat(commands.run("cancel", data("{\"task\": \"ctl.block\"}")).fieldNames()).toIterable()
        .containsExactly("worker-0", "queued-0", "blocked-0");
    assertThatThrownBy(() -> commands.run("cancel", data("{}"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uuid");
  }

  @Test
  void workersHasOneEntryPerSlot() {
    ObjectNode reply = commands.run("workers", null);
    assertThat(reply.get("worker-0").get("status").textValue()).isEqualTo("running");
    assertThat(reply.get("worker-0").get("current_task_uuid").textValue()).isEqualTo("running");
    assertThat(reply.get("worker-0").get("finished_count").longValue()).isZero();
    assertThat(reply.size()).isEqualTo(1);
  }

  @Test
  void countersOfTheParts() {
    for (int i = 0; i < 7; i++) {
      metrics.received("tasks");
    }
    metrics.dropped(DropReason.UNKNOWN_TASK);
    metrics.finished("ctl.block", OutcomeKind.TIMED_OUT, 1_000, Double.NaN);
    metrics.chunks(ChunkAssembler.Result.EXPIRED, 2);
    metrics.controlRefused(Refusal.UNSIGNED);
    metrics.selfCheckPassed(2_500_000);
    assertThat(commands.run("main", null).toString())
        .contains("\"running\":1", "\"queued\":1", "\"blocked\":1", "\"delayed\":1", "\"backlog\":3", "\"received\":7",
            "\"dropped\":{\"unknown_task\":1}", "\"control_refused\":{\"unsigned\":1}");
    ObjectNode producers = commands.run("producers", null);
    assertThat(producers.get("pg_notify").get("connected").booleanValue()).isTrue();
    assertThat(producers.get("pg_notify").fieldNames()).toIterable()
        .containsExactly("connected", "channels", "received", "connections", "losses", "self_checks", "self_check_failures",
            "last_self_check_ms");
    assertThat(producers.get("pg_notify").get("last_self_check_ms").doubleValue()).isEqualTo(2.5);
    assertThat(producers.get("schedules").get("names").get(0).textValue()).isEqualTo("nightly");
    assertThat(commands.run("chunks", null).toString()).isEqualTo("{\"completed\":0,\"expired\":2,\"invalid\":0,\"evicted_for_space\":0}");
    ObjectNode counts = commands.run("metrics", null);
    assertThat(counts.fieldNames()).toIterable().containsExactly("received", "started", "succeeded", "failed", "timed_out", "cancelled",
        "stuck", "dropped", "listener_connections", "listener_losses", "control_refused", "control_handlers_active",
        "control_handlers_peak");
    assertThat(counts.get("received").longValue()).isEqualTo(7);
    assertThat(counts.get("timed_out").longValue()).isEqualTo(1);
    assertThat(counts.get("succeeded").longValue()).isZero();
    assertThat(commands.run("status", null).fieldNames()).toIterable()
        .containsExactly("alive", "running", "workers", "producers", "main", "chunks", "metrics");
  }

  @Test
  void setLogLevelReportsThePreviousLevel() throws Exception {
    org.slf4j.LoggerFactory.getLogger("ctl.test"); // a logger the daemon has (only existing ones may be set)
    ObjectNode reply = commands.run("set_log_level", data("{\"level\": \"warn\", \"logger\": \"ctl.test\"}"));
    assertThat(reply.get("logger").textValue()).isEqualTo("ctl.test");
    assertThat(reply.get("level").textValue()).isEqualTo("WARN");
    assertThat(reply.get("previous_level").textValue()).isNotBlank();
    assertThat(commands.run("set_log_level", data("{\"level\": \"info\", \"logger\": \"ctl.test\"}")).get("previous_level").textValue())
        .isEqualTo("WARN");
    assertThatThrownBy(() -> commands.run("set_log_level", data("{\"level\": \"loud\"}"))).hasMessageContaining("'loud'");
  }

  @Test
  void setLogLevelRefusesLevelsOutsideTheDocumentedFiveAndLoggersThatDoNotExist() throws Exception {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Level before = root.getLevel();
    for (String level : List.of("OFF", "off", "ALL", "FATAL", "WARNING", "")) {
      assertThatThrownBy(() -> commands.run("set_log_level", data("{\"level\": \"" + level + "\"}")))
          .as(level).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TRACE, DEBUG, INFO, WARN or ERROR");
    }
    assertThat(root.getLevel()).isEqualTo(before);
    assertThatThrownBy(() -> commands.run("set_log_level", data("{\"level\": \"DEBUG\", \"logger\": \"no.such.logger.x1\"}")))
        .hasMessageContaining("no logger named 'no.such.logger.x1'");
    assertThat(((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory()).exists("no.such.logger.x1")).isNull();
  }

  @Test
  void runDispatchesTheMessageAndAcknowledgesIt() throws Exception {
    ObjectNode reply = commands.run("run", data("{\"task\": \"ctl.block\", \"args\": [9]}"));
    assertThat(ran).hasSize(1);
    assertThat(reply.get("ack").get("task").textValue()).isEqualTo("ctl.block");
    assertThat(reply.get("ack").get("uuid").textValue()).isEqualTo(ran.get(0).uuid());
    assertThatThrownBy(() -> commands.run("run", data("{\"args\": [1]}"))).hasMessageContaining("'task'");
  }

  @Test
  void runOfATaskThatIsNotRegisteredOrDoesNotBindIsRefusedBeforeTheAck() throws Exception {
    assertThatThrownBy(() -> commands.run("run", data("{\"task\": \"java.lang.System.exit\", \"args\": [1]}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("no registered task named 'java.lang.System.exit'");
    assertThatThrownBy(() -> commands.run("run", data("{\"task\": \"ctl.block\", \"args\": [\"nine\"]}")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ran).isEmpty();
    assertThat(metrics.counts().dropped(DropReason.UNKNOWN_TASK)).isEqualTo(1);
    assertThat(metrics.counts().dropped(DropReason.BAD_ARGUMENTS)).isEqualTo(1);
  }

  @Test
  void aListingStopsAtTheEntryCapAndSaysHowManyThereWere() {
    ControlCommands capped = new ControlCommands(view, mapper, new ReplyLimits(2, 1024 * 1024), metrics, new TaskMessageReader(mapper, MessageLimits.TRUSTED));

    ObjectNode reply = capped.run("running", null);

    assertThat(reply.fieldNames()).toIterable().containsExactly("worker-0", "queued-0", "truncated");
    assertThat(reply.get("truncated").get("total").intValue()).isEqualTo(4);
    assertThat(reply.get("truncated").get("shown").intValue()).isEqualTo(2);
    assertThat(commands.run("running", null).has("truncated")).as("a listing that fits has no marker").isFalse();
    assertThat(capped.run("status", null).get("running").get("truncated").get("total").intValue()).isEqualTo(4);
  }

  @Test
  void aListingStopsBeforeTheByteBound() throws Exception {
    for (int i = 0; i < 40; i++) {
      ObjectNode message = mapper.createObjectNode().put("task", "ctl.block").put("uuid", "big-" + i).put("note", "x".repeat(2000));
      message.putArray("args").add(i);
      pool.admitAfter(new Work(TestMessages.of(message, "tasks", "x"), block, new Object[] {(long) i}), TimeUnit.MINUTES.toNanos(5));
    }
    int maxBytes = 48 * 1024;
    ControlCommands capped = new ControlCommands(view, mapper, new ReplyLimits(1000, maxBytes), metrics, new TaskMessageReader(mapper, MessageLimits.TRUSTED));

    ObjectNode reply = capped.run("running", null);

    assertThat(mapper.writeValueAsBytes(reply.put("node_id", "n1")).length).isLessThanOrEqualTo(maxBytes);
    assertThat(reply.get("truncated").get("total").intValue()).isEqualTo(44);
    assertThat(reply.get("truncated").get("shown").intValue()).isBetween(5, 43);
    assertThat(commands.run("running", null).has("truncated")).isFalse();
  }

  @Test
  void anythingElseIsUnknown() {
    assertThatThrownBy(() -> commands.run("shutdown", null)).isInstanceOf(ControlCommands.UnknownCommandException.class)
        .hasMessage("No control method shutdown");
  }
}
