package dev.dispatcher.service.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Task;
import dev.dispatcher.service.intake.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherMetrics;
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
    }, timer, (WorkerPool.Events) (work, admission) -> { }, WorkerPool.Bounds.NONE);
    commands = new ControlCommands(new DaemonView() {
      public String nodeId() { return "n1"; }
      public int maxWorkers() { return pool.maxWorkers(); }
      public List<WorkerPool.Located> work() { return pool.snapshot(); }
      public List<WorkerPool.Slot> slots() { return pool.slots(); }
      public List<WorkerPool.Located> cancel(String uuid, String taskName) { return pool.cancel(uuid, taskName); }
      public DispatcherMetrics metrics() { return metrics; }
      public ChunkAssembler.Stats chunkStats() { return new ChunkAssembler(1, 1).stats(); }
      public int backlog() { return 3; }
      public boolean listenerConnected() { return true; }
      public List<String> channels() { return List.of("tasks"); }
      public List<String> scheduleNames() { return List.of("nightly"); }
      public void run(TaskMessage message) { ran.add(message); }
    }, mapper);
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
    return new Work(TaskMessage.from(message, "tasks", "x"), block, new Object[] {arg});
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
    metrics.received.add(7);
    metrics.dropped("unknown_task");
    assertThat(commands.run("main", null).toString())
        .contains("\"running\":1", "\"queued\":1", "\"blocked\":1", "\"delayed\":1", "\"backlog\":3", "\"unknown_task\":1");
    assertThat(commands.run("producers", null).get("pg_notify").get("connected").booleanValue()).isTrue();
    assertThat(commands.run("producers", null).get("schedules").get("names").get(0).textValue()).isEqualTo("nightly");
    assertThat(commands.run("chunks", null).fieldNames()).toIterable().contains("completed", "expired", "invalid", "evicted_for_space");
    assertThat(commands.run("metrics", null).get("received").longValue()).isEqualTo(7);
    assertThat(commands.run("status", null).fieldNames()).toIterable()
        .containsExactly("alive", "running", "workers", "producers", "main", "chunks", "metrics");
  }

  @Test
  void setLogLevelReportsThePreviousLevel() throws Exception {
    ObjectNode reply = commands.run("set_log_level", data("{\"level\": \"warn\", \"logger\": \"ctl.test\"}"));
    assertThat(reply.get("logger").textValue()).isEqualTo("ctl.test");
    assertThat(reply.get("level").textValue()).isEqualTo("WARN");
    assertThat(reply.get("previous_level").textValue()).isNotBlank();
    assertThat(commands.run("set_log_level", data("{\"level\": \"info\", \"logger\": \"ctl.test\"}")).get("previous_level").textValue())
        .isEqualTo("WARN");
    assertThatThrownBy(() -> commands.run("set_log_level", data("{\"level\": \"loud\"}"))).hasMessageContaining("'loud'");
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
  void anythingElseIsUnknown() {
    assertThatThrownBy(() -> commands.run("shutdown", null)).isInstanceOf(ControlCommands.UnknownCommandException.class)
        .hasMessage("No control method shutdown");
  }
}
