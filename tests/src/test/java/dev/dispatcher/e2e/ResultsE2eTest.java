package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.e2e.tasks.ResultTasks;
import dev.dispatcher.status.RequestPage;
import dev.dispatcher.status.ResultOmittedException;
import dev.dispatcher.status.TaskFailedException;
import dev.dispatcher.status.TaskHandle;
import dev.dispatcher.status.TaskState;
import dev.dispatcher.status.TaskStatus;
import dev.dispatcher.tools.process.DaemonProcess;
import dev.dispatcher.wire.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results and status against two real daemons, each on a channel of its own: a waiter is woken by
 * the results channel whichever daemon ran the task (the publishers poll every minute only, so a
 * result that arrives within seconds came by notification); a result written before the wait began
 * is found; failures, cancels and results too large to keep end the wait as they should; a
 * recorded fire-and-forget task (from Java or as a Python publisher sends it) has a status; a
 * client's requests are paged by cursor; and ctl prints all of it with its exit codes.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResultsE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration NO_POLLING = Duration.ofSeconds(60);
  private static final String EXTRA = DurableTable.FAST + "  max_result_kib: 1\ncontrol:\n  allow: [cancel]\n";

  private final String channelA = Daemon.channel("results_a");
  private final String channelB = Daemon.channel("results_b");
  private final String client = "shop-" + UUID.randomUUID().toString().substring(0, 8);
  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private TestDatabase database;
  private Path directory;
  private DaemonProcess daemonA;
  private DaemonProcess daemonB;
  private Publisher publisher;

  @BeforeAll
  void startTwoDaemons(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    this.directory = directory;
    daemonA = Daemon.start(database, Daemon.config("node-a-" + channelA, List.of(channelA), 4, EXTRA),
        Files.createDirectories(directory.resolve("a")));
    daemonB = Daemon.start(database, Daemon.config("node-b-" + channelB, List.of(channelB), 4, EXTRA),
        Files.createDirectories(directory.resolve("b")));
    publisher = Publisher.builder().url(database.url()).defaultChannel(channelA).resultPollInterval(NO_POLLING).build();
  }

  @AfterAll
  void stop() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    for (DaemonProcess daemon : new DaemonProcess[] {daemonA, daemonB}) {
      if (daemon != null) {
        assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
      }
    }
  }

  private SubmitOptions on(String channel) {
    return SubmitOptions.builder().channel(channel).build();
  }

  @Test
  void aTaskRunOnAnotherDaemonWakesItsWaiterAtOnceWithItsResult() throws Exception {
    // due in a second: the wait reads the rows once it listens, before they finished; only the notification can end it in time
    Duration second = Duration.ofSeconds(1);
    TaskHandle onB = publisher.boundTask(ResultTasks::echo).withOptions(SubmitOptions.builder().channel(channelB).delay(second).build())
        .submit("from b");
    TaskHandle onA = publisher.boundTask(ResultTasks::echo).withOptions(SubmitOptions.builder().channel(channelA).delay(second).build())
        .submit("from a");
    CompletableFuture<JsonNode> futureA = onA.future();
    long started = System.nanoTime();

    JsonNode resultB = onB.result(WAIT);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("notified, not polled (every %s)", NO_POLLING).isLessThan(Duration.ofSeconds(20));
    assertThat(resultB).isEqualTo(mapper.readTree("{\"echo\": \"from b\", \"node\": \"node-b-" + channelB + "\"}"));
    assertThat(futureA.get(WAIT.toSeconds(), TimeUnit.SECONDS).get("node").asText()).isEqualTo("node-a-" + channelA);
    TaskStatus status = onB.status().orElseThrow();
    assertThat(status.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(status.node()).isEqualTo("node-b-" + channelB);
    assertThat(status.channel()).isEqualTo(channelB);
    assertThat(status.attempt()).isEqualTo(1);
    assertThat(status.resultBytes()).isEqualTo(mapper.writeValueAsString(resultB).length());
    assertThat(status.createdAt()).isBeforeOrEqualTo(status.startedAt());
    assertThat(status.startedAt()).isBeforeOrEqualTo(status.finishedAt());
    assertThat(publisher.status(onB.uuid())).contains(status);
    assertThat(publisher.handle(UUID.randomUUID().toString()).status()).isEmpty();
  }

  @Test
  void aResultWrittenBeforeTheWaitBeganIsFoundAtTheFirstWaitThroughOneListeningConnection() throws Exception {
    List<TaskHandle> done = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      done.add(publisher.boundTask(ResultTasks::echo).withOptions(on(channelA)).submit("early " + i));
    }
    await().atMost(WAIT).until(() -> done.stream().allMatch(handle -> handle.status().map(TaskStatus::isFinished).orElse(false)));

    int before = listeningConnections();
    // a publisher that never listened: it LISTENs at its first wait, then reads the rows
    try (Publisher late = Publisher.builder().url(database.url()).resultPollInterval(NO_POLLING).build()) {
      long started = System.nanoTime();
      List<CompletableFuture<JsonNode>> futures = new ArrayList<>();
      for (TaskHandle handle : done) {
        futures.add(late.handle(handle.uuid()).future());
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS).get("echo").asText()).isEqualTo("early " + i);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(NO_POLLING);
      CompletableFuture<JsonNode> pending = late.handle(UUID.randomUUID().toString()).future();
      assertThat(listeningConnections()).as("one per publisher, whatever it waits for").isEqualTo(before + 1);
      pending.cancel(false);
    }
    await().atMost(WAIT).until(() -> listeningConnections() == before); // closed with its publisher
  }

  @Test
  void aHandleFromInsideATransactionWaitsForTheCommitAndOutlivesTheConnection() throws Exception {
    TaskHandle handle;
    CompletableFuture<JsonNode> result;
    try (Connection transaction = database.connect()) {
      transaction.setAutoCommit(false);
      handle = publisher.inTransaction(transaction).boundTask(ResultTasks::echo).withOptions(on(channelA)).submit("committed");
      result = handle.future();
      assertThat(handle.status()).as("read outside the transaction: not committed yet").isEmpty();
      transaction.commit();
    }

    assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS).get("echo").asText()).isEqualTo("committed");
    assertThat(handle.status().orElseThrow().state()).isEqualTo(TaskState.COMPLETED);
  }

  @Test
  void aListeningConnectionTheServerTerminatesIsMadeAgainAndItsWaitsStillEnd() throws Exception {
    try (Publisher own = Publisher.builder().url(database.url()).resultPollInterval(NO_POLLING).build()) {
      CompletableFuture<JsonNode> idle = own.handle(UUID.randomUUID().toString()).future();
      await().atMost(WAIT).until(() -> backendsOf("dispatcher-results").size() >= 1);
      List<Integer> before = backendsOf("dispatcher-results");
      try (Connection connection = database.connect(); PreparedStatement terminate = connection.prepareStatement(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dispatcher-results'")) {
        terminate.executeQuery().close();
      }
      await().atMost(WAIT).until(() -> !backendsOf("dispatcher-results").isEmpty()
          && backendsOf("dispatcher-results").stream().noneMatch(before::contains));

      TaskHandle handle = own.boundTask(ResultTasks::echo)
          .withOptions(SubmitOptions.builder().channel(channelA).delay(Duration.ofSeconds(1)).build()).submit("after the outage");

      assertThat(handle.result(WAIT).get("echo").asText()).isEqualTo("after the outage");
      assertThat(idle).isNotDone();
    }
  }

  private List<Integer> backendsOf(String applicationName) throws Exception {
    List<Integer> pids = new ArrayList<>();
    try (Connection connection = database.connect();
        PreparedStatement select = connection.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
      select.setString(1, applicationName);
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          pids.add(result.getInt(1));
        }
      }
    }
    return pids;
  }

  private int listeningConnections() throws Exception {
    try (Connection connection = database.connect();
        PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dispatcher-results'");
        ResultSet result = count.executeQuery()) {
      result.next();
      return result.getInt(1);
    }
  }

  @Test
  void aWaitForATaskNotFinishedInTimeTimesOutSayingWhereItIs() throws Exception {
    TaskHandle later = publisher.boundTask(ResultTasks::echo)
        .withOptions(SubmitOptions.builder().channel(channelA).delay(Duration.ofMinutes(5)).build()).submit("later");

    assertThatThrownBy(() -> later.result(Duration.ofMillis(500))).isInstanceOf(TimeoutException.class)
        .hasMessageContaining("task " + later.uuid() + " has not finished within 500 ms (state scheduled, attempt 0 of 10)");
    assertThat(later.future()).isNotDone();
  }

  @Test
  void aFailedTaskFailsTheFutureWithItsErrorsAndACancelledOneToo() throws Exception {
    TaskHandle failing = publisher.task(ResultTasks::fail).withOptions(on(channelB)).submit("on purpose");

    assertThatThrownBy(() -> failing.future().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("failed after 2 attempt(s): java.lang.IllegalStateException: on purpose")
        .satisfies(e -> {
          TaskStatus status = ((TaskFailedException) e).status();
          assertThat(status.state()).isEqualTo(TaskState.FAILED);
          assertThat(status.errorCount()).isEqualTo(2);
          assertThat(status.errors()).extracting(error -> error.attempt() + " " + error.kind()).containsExactly("1 failed", "2 failed");
          assertThat(status.lastError().stack()).contains("ResultTasks.fail");
        });
    assertThatThrownBy(() -> failing.result(WAIT)).isInstanceOf(TaskFailedException.class);

    TaskHandle cancelled = publisher.boundTask(ResultTasks::echo)
        .withOptions(SubmitOptions.builder().channel(channelA).delay(Duration.ofMinutes(5)).build()).submit("never");
    CompletableFuture<JsonNode> waiting = cancelled.future();
    try (ControlClient control = ControlClient.fromUrl(database.url())) {
      assertThat(control.send(channelB, "cancel", Map.of("uuid", cancelled.uuid()), 1, Duration.ofSeconds(10))).hasSize(1);
    }
    assertThatThrownBy(() -> waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS)).cause().isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("cancelled");
  }

  @Test
  void aResultLargerThanMaxResultKibIsNotKeptAndTheWaitSaysSo() throws Exception {
    TaskHandle kept = publisher.task(ResultTasks::big).withOptions(on(channelA)).submit(1022);
    TaskHandle tooLarge = publisher.task(ResultTasks::big).withOptions(on(channelA)).submit(1023);
    TaskHandle none = publisher.task(ResultTasks::nothing).withOptions(on(channelA)).submit();

    assertThat(kept.result(WAIT).asText()).hasSize(1022);
    assertThatThrownBy(() -> tooLarge.result(WAIT)).isInstanceOf(ResultOmittedException.class)
        .hasMessageContaining("completed, but its result was not kept: 1025 bytes of JSON, more than durable.max_result_kib (1 KiB)");
    TaskStatus status = tooLarge.status().orElseThrow();
    assertThat(status.result()).isNull();
    assertThat(status.resultBytes()).isEqualTo(1025);
    assertThat(none.result(WAIT)).as("a task that returns nothing").isNull();
    assertThat(none.status().orElseThrow().resultBytes()).isNull();

    Ctl.Result ctl = Ctl.run(database, directory, channelA, "result", "--uuid", tooLarge.uuid());
    assertThat(ctl.status()).as("stderr: %s", ctl.stderr()).isEqualTo(6);
    assertThat(ctl.stderr()).contains("its result was not kept: 1025 bytes of JSON");
  }

  @Test
  void aRecordedFireAndForgetTaskHasAStatusFromJavaAndFromAPythonPublisher() throws Exception {
    TaskHandle fromJava = publisher.task(ResultTasks::recorded)
        .withOptions(SubmitOptions.builder().channel(channelB).client(client).build()).submit("recorded");
    String fromPython = UUID.randomUUID().toString();
    TaskHandle python = publisher.handle(fromPython);
    CompletableFuture<JsonNode> pythonResult = python.future();
    assertThat(python.status()).as("a fire-and-forget task has no row before it finished").isEmpty();
    Instant published = Instant.now();
    // as dispatcherd's publisher writes it: no client key, a float time_pub
    try (Connection connection = database.connect(); PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, channelA);
      notify.setString(2, "{\"uuid\": \"" + fromPython + "\", \"args\": [\"from python\"], \"kwargs\": {}, \"task\": \""
          + ResultTasks.RECORDED + "\", \"time_pub\": " + java.math.BigDecimal.valueOf(published.toEpochMilli()).movePointLeft(3).toPlainString()
          + "}");
      notify.executeQuery().close();
    }
    TaskHandle failing = publisher.task(ResultTasks::recordedFail).withOptions(on(channelA)).submit("no");

    assertThat(fromJava.result(WAIT).asText()).isEqualTo("recorded");
    assertThat(pythonResult.get(WAIT.toSeconds(), TimeUnit.SECONDS).asText()).isEqualTo("from python");
    assertThatThrownBy(() -> failing.result(WAIT)).isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("java.lang.IllegalArgumentException: no");

    TaskStatus java = fromJava.status().orElseThrow();
    assertThat(java.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(java.channel()).isEqualTo(channelB);
    assertThat(java.client()).isEqualTo(client);
    assertThat(java.node()).isEqualTo("node-b-" + channelB);
    assertThat(java.attempt()).isEqualTo(1);
    assertThat(java.maxAttempts()).isEqualTo(1);
    TaskStatus py = python.status().orElseThrow();
    assertThat(py.channel()).isEqualTo(channelA);
    assertThat(py.client()).isNull();
    assertThat(py.createdAt()).as("from its time_pub").isBetween(published.minusSeconds(2), py.startedAt());
    assertThat(failing.status().orElseThrow().lastError().kind()).isEqualTo("failed");
    assertThat(daemonA.linesContaining("task " + fromPython)).anySatisfy(line -> assertThat(line).contains("succeeded"));
  }

  @Test
  void aClientsRequestsArePagedNewestFirstByCursorAndCtlPrintsThem() throws Exception {
    String shop = client + "-list";
    List<String> submitted = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      submitted.add(publisher.boundTask(ResultTasks::echo)
          .withOptions(SubmitOptions.builder().channel(i % 2 == 0 ? channelA : channelB).client(shop).build()).submit("r" + i).uuid());
    }
    List<String> newestFirst = new ArrayList<>(submitted);
    java.util.Collections.reverse(newestFirst);

    RequestPage first = publisher.requests(shop, 5, null);
    RequestPage second = publisher.requests(shop, 5, first.nextCursor());
    RequestPage third = publisher.requests(shop, 5, second.nextCursor());

    List<String> listed = new ArrayList<>();
    for (RequestPage page : List.of(first, second, third)) {
      page.requests().forEach(request -> listed.add(request.uuid()));
    }
    assertThat(List.of(first.requests().size(), second.requests().size(), third.requests().size())).containsExactly(5, 5, 2);
    assertThat(third.hasMore()).isFalse();
    assertThat(listed).containsExactlyElementsOf(newestFirst);
    assertThatThrownBy(() -> publisher.requests(shop, 1001, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit must be from 1 to 1000");
    assertThatThrownBy(() -> publisher.requests(shop, 5, "garbage")).hasMessageContaining("is not one a page of requests returned");

    Ctl.Result page = Ctl.run(database, directory, channelA, "requests", "--client", shop, "--limit", "5");
    assertThat(page.status()).as("stderr: %s", page.stderr()).isZero();
    List<String> lines = page.stdout().lines().toList();
    assertThat(lines.get(0)).startsWith("UUID").contains("STATE", "CREATED", "FINISHED", "TASK");
    assertThat(lines.subList(1, 6)).extracting(line -> line.substring(0, 36)).containsExactlyElementsOf(newestFirst.subList(0, 5));
    assertThat(lines.get(6)).startsWith("5 requests; next page: --cursor ");
    String cursor = lines.get(6).substring(lines.get(6).lastIndexOf(' ') + 1);
    Ctl.Result next = Ctl.run(database, directory, channelA, "requests", "--client", shop, "--limit", "5", "--cursor", cursor, "--json");
    assertThat(next.status()).as("stderr: %s", next.stderr()).isZero();
    JsonNode json = mapper.readTree(next.stdout());
    List<String> nextUuids = new ArrayList<>();
    json.get("requests").forEach(request -> nextUuids.add(request.get("uuid").asText()));
    assertThat(nextUuids).containsExactlyElementsOf(newestFirst.subList(5, 10));
    assertThat(json.get("next_cursor").asText()).isNotEmpty();
    assertThat(Ctl.run(database, directory, channelA, "requests", "--client", shop, "--limit", "0").status()).isEqualTo(2);
    assertThat(Ctl.run(database, directory, channelA, "requests", "--limit", "5").stderr()).contains("--client: is required");
  }

  @Test
  void ctlPrintsAStatusAndAResultAndSaysWithItsExitStatusWhenThereIsNone() throws Exception {
    TaskHandle done = publisher.boundTask(ResultTasks::echo).withOptions(on(channelB)).submit("for ctl");
    JsonNode result = done.result(WAIT);
    TaskHandle later = publisher.boundTask(ResultTasks::echo)
        .withOptions(SubmitOptions.builder().channel(channelA).delay(Duration.ofMinutes(5)).build()).submit("later");
    TaskHandle failed = publisher.task(ResultTasks::fail).withOptions(on(channelA)).submit("for ctl");
    assertThatThrownBy(() -> failed.result(WAIT)).isInstanceOf(TaskFailedException.class);

    Ctl.Result status = Ctl.run(database, directory, channelA, "status", "--uuid", done.uuid());
    assertThat(status.status()).as("stderr: %s", status.stderr()).isZero();
    assertThat(status.stdout()).contains("uuid: " + done.uuid(), "state: completed", "node: node-b-" + channelB, "echo: for ctl",
        "attempt: 1", "max_attempts: 10", "error_count: 0");
    Ctl.Result json = Ctl.run(database, directory, channelA, "status", "--uuid", failed.uuid(), "--json");
    assertThat(json.status()).isZero();
    JsonNode failedStatus = mapper.readTree(json.stdout());
    assertThat(failedStatus.get("state").asText()).isEqualTo("failed");
    assertThat(failedStatus.get("errors")).hasSize(2);

    Ctl.Result printed = Ctl.run(database, directory, channelA, "result", "--uuid", done.uuid());
    assertThat(printed.status()).as("stderr: %s", printed.stderr()).isZero();
    assertThat(mapper.readTree(printed.stdout())).isEqualTo(result);
    Ctl.Result notYet = Ctl.run(database, directory, channelA, "result", "--uuid", later.uuid());
    assertThat(notYet.status()).isEqualTo(4);
    assertThat(notYet.stderr()).contains("has not finished: scheduled");
    Ctl.Result failure = Ctl.run(database, directory, channelA, "result", "--uuid", failed.uuid());
    assertThat(failure.status()).isEqualTo(5);
    assertThat(failure.stderr()).contains("failed after 2 attempt(s): java.lang.IllegalStateException: for ctl");
    String unknown = UUID.randomUUID().toString();
    Ctl.Result none = Ctl.run(database, directory, channelA, "result", "--uuid", unknown);
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.stderr()).contains("no task with uuid " + unknown);
    assertThat(Ctl.run(database, directory, channelA, "status", "--uuid", unknown).status()).isEqualTo(1);
    Ctl.Result usage = Ctl.run(database, directory, channelA, "result");
    assertThat(usage.status()).isEqualTo(2);
    assertThat(usage.stderr()).contains("--uuid: is required for result");
    assertThat(Ctl.run(database, directory, channelA, "result", "--uuid", "nope").status()).isEqualTo(2);
    assertThat(new HashSet<>(List.of(done.uuid(), later.uuid(), failed.uuid()))).hasSize(3);
  }
}
