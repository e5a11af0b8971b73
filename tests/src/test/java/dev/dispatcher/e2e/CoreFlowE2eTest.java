package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.NamedTask;
import dev.dispatcher.PublishBatch;
import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.e2e.tasks.AnnotatedTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The basic path against the real daemon process: publish with the library, LISTEN, run. One
 * daemon serves every test here; each test uses its own uuids, so they do not interfere.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoreFlowE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String channel = Daemon.channel("core");
  private final String otherChannel = Daemon.channel("core_other");
  private TestDatabase database;
  private DaemonProcess daemon;
  private Publisher publisher;
  private Journal journal;
  private final DemoTasks demo = new DemoTasks();

  @BeforeAll
  void startDaemon(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    this.journal = new Journal(database);
    daemon = Daemon.start(database, Daemon.config(List.of(channel, otherChannel, AnnotatedTasks.CHANNEL), 8, ""), directory);
    publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build();
  }

  @AfterAll
  void stopDaemon() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void aBurstOfAThousandTasksRunsEachExactlyOnce() throws Exception {
    List<String> uuids = new ArrayList<>();
    for (int start = 0; start < 1000; start += 250) {
      PublishBatch batch = publisher.batch();
      for (int i = start; i < start + 250; i++) {
        if (i % 2 == 0) {
          batch.task(DemoTasks::sum2).delay((long) i, 1L);
        } else {
          batch.task(DemoTasks::hello).delay();
        }
      }
      uuids.addAll(batch.send());
    }
    assertThat(uuids).hasSize(1000).doesNotHaveDuplicates();

    await().atMost(Duration.ofSeconds(60)).until(() -> journal.runsByUuid(uuids).size() == 1000);
    Map<String, Integer> runs = journal.runsByUuid(uuids);
    assertThat(runs.values()).containsOnly(1);
  }

  @Test
  void publishingInsideATransactionFollowsCommitAndRollback() throws Exception {
    String rolledBack;
    String committed;
    try (Connection tx = database.connect()) {
      tx.setAutoCommit(false);
      rolledBack = publisher.inTransaction(tx).task(DemoTasks::hello).delay();
      tx.rollback();
      committed = publisher.inTransaction(tx).task(DemoTasks::sum2).delay(20L, 22L);
      assertThat(journal.runs(committed)).as("not delivered before commit").isZero();
      tx.commit();
    }
    await().atMost(WAIT).until(() -> journal.runs(committed) == 1);
    // Notifications arrive in commit order: the later commit ran, so a published rollback would have too.
    assertThat(journal.runs(rolledBack)).isZero();
    assertThat(daemon.output()).doesNotContain(rolledBack);
  }

  @Test
  void badInputIsDroppedWithAReasonAndTheNextTaskStillRuns() throws Exception {
    String unknownUuid = publisher.task("no.such.Task.method").delay(1);
    String wrongTypeUuid = publisher.task("dev.dispatcher.demo.DemoTasks.sum2").delay("one", 2);
    String missingArgUuid = publisher.task("dev.dispatcher.demo.DemoTasks.sum2").delay(1);
    String unknownKwarg = publisher.task("dev.dispatcher.demo.DemoTasks.hello").applyAsync(List.of(), Map.of("who", "x"), null);
    notifyRaw("{not json at all");
    notifyRaw("[1, 2, 3]");
    notifyRaw("{\"uuid\": \"bad-args-shape\", \"task\": \"dev.dispatcher.demo.DemoTasks.hello\", \"args\": {\"a\": 1}}");
    String next = publisher.task(DemoTasks::sum2).delay(1L, 2L);

    await().atMost(WAIT).until(() -> journal.runs(next) == 1);
    assertThat(daemon.isAlive()).isTrue();
    assertThat(daemon.linesContaining("dropped task " + unknownUuid)).singleElement().asString().contains("unknown task 'no.such.Task.method'");
    assertThat(daemon.linesContaining("dropped task " + wrongTypeUuid)).singleElement().asString().contains("argument 'a'").contains("\"one\"");
    assertThat(daemon.linesContaining("dropped task " + missingArgUuid)).singleElement().asString().contains("missing argument 'b'");
    assertThat(daemon.linesContaining("dropped task " + unknownKwarg)).singleElement().asString().contains("no parameter named 'who'");
    assertThat(daemon.linesContaining("not JSON")).singleElement().asString().contains("{not json at all");
    assertThat(daemon.linesContaining("not a JSON object")).singleElement().asString().contains("[1, 2, 3]");
    assertThat(daemon.linesContaining("dropped message bad-args-shape")).singleElement().asString().contains("'args' must be an array");
    for (String uuid : List.of(unknownUuid, wrongTypeUuid, missingArgUuid, unknownKwarg)) {
      assertThat(journal.runs(uuid)).as(uuid).isZero();
    }
  }

  @Test
  void aTwentyKilobyteArgumentArrivesIntact() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 20_000; i++) {
      text.append("línea ").append(i).append(" \"quoted\" \\ tab\t emoji \uD83D\uDE80 ");
    }
    String note = text.toString();
    String uuid = publisher.boundTask(demo::insertRow).delay(note);

    await().atMost(WAIT).until(() -> journal.runs(uuid) == 1);
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT note FROM dispatcher_demo_rows WHERE uuid = ?")) {
      query.setString(1, uuid);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isEqualTo(note);
      }
    }
  }

  @Test
  void kwargsBindByNameAndOptionsPickTheChannel() throws Exception {
    NamedTask insert = publisher.task("dev.dispatcher.demo.DemoTasks.insert_row");
    String uuid = insert.applyAsync(List.of(), Map.of("note", "by name"), SubmitOptions.builder().channel(otherChannel).build());

    await().atMost(WAIT).until(() -> journal.runs(uuid) == 1);
    assertThat(daemon.linesContaining(uuid)).singleElement().asString().contains("succeeded");
  }

  @Test
  void theChannelOnTheAnnotationIsHonoured() throws Exception {
    String uuid = publisher.task(AnnotatedTasks::ping).delay();

    await().atMost(WAIT).until(() -> journal.runs(uuid) == 1);
    assertThat(daemon.linesContaining(uuid)).singleElement().asString().contains("-> pong");
  }

  @Test
  void aDelayedTaskStartsNoEarlierThanItsDelay() throws Exception {
    String uuid = publisher.task(DemoTasks::hello).withOptions(SubmitOptions.builder().delay(Duration.ofMillis(300)).build()).delay();

    await().atMost(WAIT).until(() -> journal.runs(uuid) == 1);
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT extract(epoch FROM started_at - published_at) FROM dispatcher_runs WHERE uuid = ?")) {
      query.setString(1, uuid);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getDouble(1)).isGreaterThanOrEqualTo(0.3);
      }
    }
  }

  @Test
  void aFailingTaskIsLoggedWithItsUuidAndTheDaemonCarriesOn() throws Exception {
    String failing = publisher.task(DemoTasks::fail).delay();
    String next = publisher.task(DemoTasks::hello).delay();

    await().atMost(WAIT).until(() -> journal.runs(next) == 1 && journal.runs(failing) == 1);
    assertThat(journal.statuses(failing)).containsExactly("failed");
    assertThat(daemon.linesContaining("task " + failing)).singleElement().asString()
        .contains("failed in").contains("this task fails on purpose");
  }

  private void notifyRaw(String payload) throws Exception {
    try (Connection connection = database.connect();
        PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, channel);
      notify.setString(2, payload);
      notify.execute();
    }
  }
}
