package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable tasks through the SQL API against the real daemon: the row is the truth, so what was
 * enqueued while no daemon ran is run once one starts; an enqueue follows its transaction; and a
 * cancel that reaches any daemon cancels the rows no daemon has claimed yet. One daemon serves
 * every test, each on a channel of its own; the thousand rows are enqueued before it starts.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DurableE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ALLOW_CANCEL = "control:\n  allow: [cancel]\n";

  private final String backlogChannel = Daemon.channel("durable_backlog");
  private final String txChannel = Daemon.channel("durable_tx");
  private final String node = "e2e-" + backlogChannel;
  private TestDatabase database;
  private DurableTable table;
  private Journal journal;
  private DaemonProcess daemon;
  private Path directory;
  private List<String> backlog;

  @BeforeAll
  void enqueueThenStartTheDaemon(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    this.directory = directory;
    table = new DurableTable(database);
    journal = new Journal(database);
    backlog = table.enqueueMany(DurableTestTasks.RECORD, backlogChannel, 1000, List.of(), Map.of());
    assertThat(table.states(backlogChannel)).as("no daemon on the channel yet").containsExactly(entry("available", 1000));
    daemon = Daemon.start(database, Daemon.config(List.of(backlogChannel, txChannel), 16, DurableTable.FAST + ALLOW_CANCEL),
        Files.createDirectories(directory.resolve("daemon")));
  }

  @AfterAll
  void stopDaemon() throws Exception {
    if (daemon == null) {
      return;
    }
    assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
    assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString()
        .contains("durable_retries=0").contains("durable_lease_expiries=0");
    assertThat(daemon.linesContaining("no longer its own")).as("no lease was lost").isEmpty();
  }

  @Test
  @Order(1)
  void aThousandTasksEnqueuedWhileNoDaemonRanAllRunOnceItStarts() throws Exception {
    assertThat(backlog).hasSize(1000).doesNotHaveDuplicates();

    await().atMost(WAIT).until(() -> table.count(backlogChannel, "completed") == 1000);

    assertThat(table.states(backlogChannel)).containsExactly(entry("completed", 1000));
    assertThat(table.rows(backlogChannel).values()).allSatisfy(row -> {
      assertThat(row.attempt()).isEqualTo(1);
      assertThat(row.attemptedBy()).isEqualTo(node);
      assertThat(row.errors()).isEmpty();
      assertThat(row.finishedAt()).isNotNull();
    });
    Map<String, Integer> runs = table.runCounts(backlogChannel);
    assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(backlog);
    assertThat(runs.values()).containsOnly(1);
    assertThat(table.runs(backlogChannel)).extracting(DurableTable.Run::attempt).containsOnly(1);
    // the daemon's own run journal (written in batches) agrees
    await().atMost(WAIT).until(() -> journal.runsByUuid(backlog).size() == 1000);
    assertThat(journal.runsByUuid(backlog).values()).containsOnly(1);
  }

  @Test
  void anEnqueueFollowsItsTransactionRolledBackNothingCommittedOneRun() throws Exception {
    String rolledBack = UUID.randomUUID().toString();
    String committed;
    try (Connection tx = database.connect()) {
      tx.setAutoCommit(false);
      assertThat(DurableTable.enqueue(tx, DurableTestTasks.RECORD, txChannel, List.of(), Map.of("uuid", rolledBack))).isEqualTo(rolledBack);
      tx.rollback();
      committed = DurableTable.enqueue(tx, DurableTestTasks.RECORD, txChannel, List.of(), Map.of());
      assertThat(table.row(committed)).as("not visible, so not claimable, before the commit").isNull();
      tx.commit();
    }

    await().atMost(WAIT).until(() -> table.row(committed).state().equals("completed"));
    // the daemon claims every due row of the channel at once: a row of the rolled-back enqueue would have been claimed too
    assertThat(table.row(rolledBack)).isNull();
    assertThat(table.states(txChannel)).containsExactly(entry("completed", 1));
    assertThat(table.runsOf(committed)).hasSize(1);
    assertThat(table.runsOf(rolledBack)).isEmpty();
    assertThat(daemon.output()).doesNotContain(rolledBack);
    assertThat(daemon.linesContaining("task " + committed)).anySatisfy(line -> assertThat(line).contains("succeeded"));
    await().atMost(WAIT).until(() -> journal.runs(committed) == 1);
    assertThat(journal.runs(rolledBack)).isZero();
  }

  /**
   * A busy daemon (one slot, taken by a slow task) leaves an available row and a scheduled one in
   * the table; a cancel for each reaches only this class's daemon, which neither listens on their
   * channel nor runs anything of it: it cancels them in the table. The running task is in the busy
   * daemon's pool, so its cancel must reach that daemon (ctl on its channel).
   */
  @Test
  void aCancelSentToAnotherDaemonCancelsRowsNotClaimedYetAndTheRunningOneIsCancelledByItsDaemon() throws Exception {
    String busyChannel = Daemon.channel("durable_busy");
    try (DaemonProcess busy = Daemon.start(database, Daemon.config(List.of(busyChannel), 1, DurableTable.FAST + ALLOW_CANCEL),
            Files.createDirectories(directory.resolve("busy")));
        ControlClient control = ControlClient.fromUrl(database.url())) {
      String running = table.enqueue(DurableTestTasks.SLOW, busyChannel, List.of(60.0), Map.of());
      await().atMost(WAIT).until(() -> table.runsOf(running).size() == 1);
      String available = table.enqueue(DurableTestTasks.RECORD, busyChannel, List.of(), Map.of());
      String scheduled = table.enqueue(DurableTestTasks.RECORD, busyChannel, List.of(), Map.of("delay", 60));
      assertThat(table.row(available).state()).isEqualTo("available");
      assertThat(table.row(scheduled).state()).isEqualTo("scheduled");

      for (String uuid : List.of(available, scheduled)) {
        List<ControlReply> replies = control.send(txChannel, "cancel", Map.of("uuid", uuid), 1, Duration.ofSeconds(10));
        assertThat(replies).singleElement().satisfies(reply -> {
          assertThat(reply.nodeId()).isEqualTo(node);
          assertThat(reply.isError()).isFalse();
        });
      }
      assertThat(table.row(available).state()).isEqualTo("cancelled");
      assertThat(table.row(scheduled).state()).isEqualTo("cancelled");
      assertThat(table.row(available).finishedAt()).isNotNull();
      assertThat(daemon.linesContaining("cancelled durable task " + available + " (not claimed yet)")).hasSize(1);
      assertThat(daemon.linesContaining("cancelled durable task " + scheduled + " (not claimed yet)")).hasSize(1);
      assertThat(table.row(running).state()).as("still running on the busy daemon").isEqualTo("running");

      Ctl.Result cancel = Ctl.run(database, directory, busyChannel, "cancel", "--uuid", running);
      assertThat(cancel.status()).as("stderr: %s", cancel.stderr()).isZero();
      assertThat(cancel.stdout()).contains(running);

      await().atMost(WAIT).until(() -> table.row(running).state().equals("cancelled"));
      assertThat(table.row(running).errors()).isEmpty();
      assertThat(table.row(running).finishedAt()).isNotNull();
      // the slot is free again: a task enqueued now runs, and the cancelled rows never do
      String after = table.enqueue(DurableTestTasks.RECORD, busyChannel, List.of(), Map.of());
      await().atMost(WAIT).until(() -> table.row(after).state().equals("completed"));
      assertThat(table.runsOf(available)).isEmpty();
      assertThat(table.runsOf(scheduled)).isEmpty();
      assertThat(table.states(busyChannel)).containsOnly(entry("cancelled", 3), entry("completed", 1));
      assertThat(busy.stop(WAIT)).isZero();
      assertThat(journal.statuses(running)).containsExactly("cancelled");
      assertThat(busy.linesContaining("cancelled task " + running)).singleElement().asString().contains("(running)");
    }
  }
}
