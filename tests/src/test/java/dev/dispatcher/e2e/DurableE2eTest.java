package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable tasks through the SQL API against the real daemon: the row is the truth, so what was
 * enqueued while no daemon ran is run once one starts, and an enqueue follows its transaction.
 */
@ExtendWith(PostgresExtension.class)
class DurableE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private DurableTable table;
  private Journal journal;

  @BeforeEach
  void prepare(TestDatabase database) throws Exception {
    table = new DurableTable(database);
    journal = new Journal(database);
  }

  @Test
  void aThousandTasksEnqueuedWhileNoDaemonRunsAllRunOnceItStarts(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("durable_backlog");
    String node = "e2e-" + channel;
    List<String> uuids = table.enqueueMany(DurableTestTasks.RECORD, channel, 1000, List.of(), Map.of());
    assertThat(uuids).hasSize(1000).doesNotHaveDuplicates();
    assertThat(table.states(channel)).containsExactly(entry("available", 1000));

    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 16, DurableTable.FAST), directory)) {
      await().atMost(WAIT).until(() -> table.count(channel, "completed") == 1000);
      assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
      assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString()
          .contains("durable_claimed=1000").contains("durable_retries=0").contains("durable_lease_expiries=0");
      assertThat(daemon.linesContaining("no longer its own")).as("no lease was lost").isEmpty();
    }

    assertThat(table.states(channel)).containsExactly(entry("completed", 1000));
    assertThat(table.rows(channel).values()).allSatisfy(row -> {
      assertThat(row.attempt()).isEqualTo(1);
      assertThat(row.attemptedBy()).isEqualTo(node);
      assertThat(row.errors()).isEmpty();
      assertThat(row.finishedAt()).isNotNull();
    });
    Map<String, Integer> runs = table.runCounts(channel);
    assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(uuids);
    assertThat(runs.values()).containsOnly(1);
    assertThat(table.runs(channel)).extracting(DurableTable.Run::attempt).containsOnly(1);
    // the daemon's own run journal (written at the latest when it stops) agrees
    assertThat(journal.runsByUuid(uuids)).hasSize(1000).allSatisfy((uuid, count) -> assertThat(count).isEqualTo(1));
  }

  @Test
  void anEnqueueFollowsItsTransactionRolledBackNothingCommittedOneRun(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("durable_tx");
    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 4, DurableTable.FAST), directory)) {
      String rolledBack = UUID.randomUUID().toString();
      String committed;
      try (Connection tx = database.connect()) {
        tx.setAutoCommit(false);
        assertThat(DurableTable.enqueue(tx, DurableTestTasks.RECORD, channel, List.of(), Map.of("uuid", rolledBack))).isEqualTo(rolledBack);
        tx.rollback();
        committed = DurableTable.enqueue(tx, DurableTestTasks.RECORD, channel, List.of(), Map.of());
        assertThat(table.row(committed)).as("not visible, so not claimable, before the commit").isNull();
        tx.commit();
      }

      await().atMost(WAIT).until(() -> table.row(committed).state().equals("completed"));
      // the daemon claims every due row of the channel at once: a row of the rolled-back enqueue would have been claimed too
      assertThat(table.row(rolledBack)).isNull();
      assertThat(table.states(channel)).containsExactly(entry("completed", 1));
      assertThat(table.runsOf(committed)).hasSize(1);
      assertThat(table.runsOf(rolledBack)).isEmpty();
      assertThat(daemon.output()).doesNotContain(rolledBack);
      assertThat(daemon.linesContaining("task " + committed)).anySatisfy(line -> assertThat(line).contains("succeeded"));
    }
  }
}
