package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every control command, as the Python dispatcher's control client, {@code dispatcherctl} and its
 * own tests (e.g. {@code test_producers_command}, {@code get_worker_data}) read the replies: the
 * keys they read must be there, with the types they expect, beside ours. One daemon with four
 * workers serves all the tests; each cancels what it started.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonControlShapesE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration REPLY = Duration.ofSeconds(10);
  private static final String SLEEP = "dev.dispatcher.demo.DemoTasks.sleep";
  private static final String HELLO = "dev.dispatcher.demo.DemoTasks.hello";

  private final String channel = Daemon.channel("pyctl");
  private Journal journal;
  private DaemonProcess daemon;
  private ControlClient control;
  private Publisher publisher;

  @BeforeAll
  void startDaemon(TestDatabase database, @TempDir Path directory) throws Exception {
    this.journal = new Journal(database);
    daemon = Daemon.launch(database, Daemon.config(List.of(channel), 4, Daemon.ACTING_COMMANDS_ALLOWED), directory,
        List.of("--log-level", "DEBUG")).awaitReady(Duration.ofSeconds(60));
    control = ControlClient.fromUrl(database.url());
    publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build();
  }

  @AfterAll
  void stopDaemon() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (control != null) {
      control.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void aliveIsJustTheNodeId() {
    assertThat(body("alive", Map.of()).keySet()).containsExactly("node_id");
  }

  /** BUG: aio_tasks answered "No control method aio_tasks". */
  @Test
  void aioTasksIsAnEmptyWellFormedReply() {
    assertThat(body("aio_tasks", Map.of()).keySet()).containsExactly("node_id");
    assertThat(body("aio_tasks", Map.of("limit", 0)).keySet()).containsExactly("node_id");
  }

  /** get_worker_data: drop node_id, one entry left, a task message; ours adds when it started. */
  @Test
  void runningListsOneEntryPerTaskMessageAndRunningOnesSayWhenTheyStarted() throws Exception {
    String sleeper = startSleeping(30.0);

    Map<String, Object> reply = body("running", Map.of("uuid", sleeper));
    Map<String, Object> message = workerData(reply);
    assertThat(message).containsEntry("uuid", sleeper).containsEntry("task", SLEEP).containsEntry("channel", channel)
        .containsEntry("args", List.of(30.0));
    assertThat(Instant.parse((String) message.get("started_at"))).isBefore(Instant.now().plusSeconds(1));
    assertThat(((Number) message.get("elapsed_seconds")).doubleValue()).isBetween(0.0, 30.0);

    cancelAndAwait(sleeper);
  }

  /** BUG: args were ignored: cancel {task: sleep, args: [21]} stopped sleep(20) too. */
  @Test
  void cancelStopsOnlyTheTaskWhoseTaskArgsKwargsAndUuidMatchAllThatAreGiven() throws Exception {
    String twenty = startSleeping(20.0);
    String twentyOne = startSleeping(21.0);

    Map<String, Object> cancelled = body("cancel", Map.of("task", SLEEP, "args", List.of(21)));

    assertThat(workerData(cancelled)).containsEntry("uuid", twentyOne);
    await().atMost(WAIT).until(() -> journal.runs(twentyOne) == 1);
    assertThat(journal.statuses(twentyOne)).containsExactly("cancelled");
    assertThat(workerData(body("running", Map.of("task", SLEEP, "args", List.of(20.0))))).containsEntry("uuid", twenty);
    assertThat(body("running", Map.of("task", SLEEP, "kwargs", Map.of("seconds", 20))).keySet()).containsExactly("node_id");
    assertThat(journal.runs(twenty)).isZero();

    cancelAndAwait(twenty);
  }

  /** BUG: the entries lacked worker_id, pid, active_cancel and age. */
  @Test
  void workersHaveThePythonDispatchersKeys() {
    Map<String, Object> reply = body("workers", Map.of());

    assertThat(reply.keySet()).containsExactlyInAnyOrder("worker-0", "worker-1", "worker-2", "worker-3", "node_id");
    for (int slot = 0; slot < 4; slot++) {
      Map<String, Object> worker = map(reply.get("worker-" + slot));
      assertThat(worker).containsKeys("worker_id", "pid", "status", "finished_count", "current_task", "current_task_uuid",
          "active_cancel", "age");
      assertThat(worker.get("worker_id")).isEqualTo(slot);
      assertThat(((Number) worker.get("pid")).longValue()).isEqualTo(daemon.pid());
      assertThat(worker.get("active_cancel")).isInstanceOf(Boolean.class);
      assertThat(((Number) worker.get("age")).doubleValue()).isPositive();
    }
  }

  /** BUG: dispatcherd's test_producers_command failed: no pg_notify-producer with a produced_count. */
  @Test
  void producersHaveThePythonDispatchersProducerNamesAndCounts() {
    Map<String, Object> reply = body("producers", Map.of());

    Map<String, Object> notify = map(reply.get("pg_notify-producer"));
    assertThat(notify).containsOnlyKeys("produced_count", "uptime_seconds", "recycle_count", "broker_self_check");
    assertThat(((Number) notify.get("produced_count")).longValue()).isPositive(); // this command's own message, at least
    assertThat(((Number) notify.get("uptime_seconds")).doubleValue()).isPositive();
    assertThat(notify.get("recycle_count")).isEqualTo(0);
    assertThat(map(notify.get("broker_self_check"))).containsOnlyKeys("enabled", "success_count", "average_time_seconds",
        "max_time_seconds").containsEntry("enabled", true);
    assertThat(map(reply.get("control-producer"))).containsOnlyKeys("produced_count", "uptime_seconds");
    assertThat(map(reply.get("pg_notify"))).containsEntry("connected", true).containsEntry("last_self_check_passed", true);
  }

  /** BUG: main shared no key with the Python dispatcher's. */
  @Test
  void mainHasThePythonDispatchersCountsPidAndPool() {
    Map<String, Object> reply = body("main", Map.of());

    assertThat(reply).containsKeys("received_count", "control_count", "pid", "pool", "max_workers", "running", "queued", "health");
    assertThat(((Number) reply.get("control_count")).longValue()).isPositive();
    assertThat(((Number) reply.get("received_count")).longValue()).isPositive();
    assertThat(((Number) reply.get("pid")).longValue()).isEqualTo(daemon.pid());
    assertThat(map(reply.get("pool"))).containsOnlyKeys("next_worker_id", "finished_count", "canceled_count", "retirement_count")
        .containsEntry("next_worker_id", 4).containsEntry("retirement_count", 0);
    assertThat(reply).containsEntry("health", "ok").doesNotContainKey("health_reason");
  }

  /** BUG: chunks had neither status nor partials. */
  @Test
  void chunksHaveThePythonDispatchersStatusAndPartials() {
    long before = ((Number) map(body("chunks", Map.of()).get("status")).get("total_chunks_received")).longValue();
    publisher.task("no.such.task").delay("x".repeat(20_000)); // chunked by the publisher, reassembled, then dropped: unknown

    Map<String, Object> status = await().atMost(WAIT).until(() -> map(body("chunks", Map.of()).get("status")),
        now -> ((Number) now.get("total_chunks_received")).longValue() >= before + 3);

    assertThat(status).containsOnlyKeys("total_chunks_received", "successful_assemblies", "errored_assemblies", "timed_out_assemblies",
        "active_messages");
    assertThat(((Number) status.get("successful_assemblies")).longValue()).isPositive();
    assertThat(status.get("active_messages")).isEqualTo(0);
    assertThat(body("chunks", Map.of()).get("partials")).isEqualTo(Map.of());
  }

  @Test
  void metricsAreOurCounts() {
    assertThat(body("metrics", Map.of())).containsKeys("received", "started", "succeeded", "failed", "dropped", "listener_connections");
  }

  /** BUG: status had "alive" and no "aio_tasks": its keys were not the Python daemon's. */
  @Test
  void statusHasTheSameKeysAsThePythonDaemons() {
    Map<String, Object> reply = body("status", Map.of());

    assertThat(reply.keySet()).containsExactlyInAnyOrder("running", "aio_tasks", "workers", "producers", "metrics", "main", "chunks",
        "durable", "suspended", "node_id"); // durable (the task table by state) and suspended (task types) are ours; the Python client ignores keys it does not know
    assertThat(map(reply.get("producers"))).containsKey("pg_notify-producer");
    assertThat(map(reply.get("workers"))).containsKey("worker-0");
  }

  /** BUG: WARNING, CRITICAL (the names dispatcherctl offers) and numbers were refused. */
  @Test
  void setLogLevelTakesPythonsNamesAndNumbers() {
    try {
      assertThat(body("set_log_level", Map.of("level", "WARNING"))).containsEntry("level", "WARN").containsEntry("logger", "ROOT");
      assertThat(body("set_log_level", Map.of("level", "CRITICAL"))).containsEntry("level", "ERROR");
      assertThat(body("set_log_level", Map.of("level", 20))).containsEntry("level", "INFO").containsEntry("previous_level", "ERROR");
      assertThat((String) body("set_log_level", Map.of("level", "OFF")).get("error")).contains("unknown log level");
    } finally {
      body("set_log_level", Map.of("level", 10)); // back to DEBUG, as started
    }
  }

  /** BUG: a task started with run had no time_pub: its run logged "(waited ? ms)". */
  @Test
  void runAcknowledgesWithAUuidAndTheRunKnowsHowLongItWaited() throws Exception {
    Map<String, Object> ack = map(body("run", Map.of("task", HELLO)).get("ack"));
    String uuid = (String) ack.get("uuid");

    assertThat(uuid).isNotBlank();
    assertThat(ack).containsEntry("task", HELLO).containsKey("time_pub");
    assertThat(daemon.awaitLine(line -> line.contains("task " + uuid) && line.contains("succeeded"), WAIT)).isTrue();
    assertThat(daemon.linesContaining("task " + uuid)).filteredOn(line -> line.contains("succeeded")).singleElement().asString()
        .containsPattern("\\(waited [0-9.]+ ms\\)");
    assertThat(((Number) map(body("producers", Map.of()).get("control-producer")).get("produced_count")).longValue()).isPositive();
  }

  private String startSleeping(double seconds) throws InterruptedException {
    String uuid = publisher.task(DemoTasks::sleep).delay(seconds);
    assertThat(daemon.awaitLine(line -> line.contains("task " + uuid) && line.contains("started"), WAIT)).isTrue();
    return uuid;
  }

  private void cancelAndAwait(String uuid) throws Exception {
    body("cancel", Map.of("uuid", uuid));
    await().atMost(WAIT).until(() -> journal.runs(uuid) == 1);
  }

  private Map<String, Object> body(String command, Map<String, ?> data) {
    List<ControlReply> replies = control.send(channel, command, data, 1, REPLY);
    assertThat(replies).as(command).hasSize(1);
    return replies.get(0).body();
  }

  /** dispatcherd's get_worker_data: the one entry beside node_id. */
  private static Map<String, Object> workerData(Map<String, Object> reply) {
    Map<String, Object> rest = new HashMap<>(reply);
    rest.remove("node_id");
    assertThat(rest).as("one entry besides node_id in %s", reply).hasSize(1);
    return map(rest.values().iterator().next());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }
}
