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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several daemons on durable rows: a burst shared by three daemons on one channel runs each task
 * exactly once, on all three; and a cancel that reaches one daemon cancels the rows no daemon has
 * claimed yet, wherever they are queued, while the running task is cancelled by its own daemon.
 */
@ExtendWith(PostgresExtension.class)
class DurableClusterE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  private DurableTable table;
  private Journal journal;

  @BeforeEach
  void prepare(TestDatabase database) throws Exception {
    table = new DurableTable(database);
    journal = new Journal(database);
  }

  @Test
  void threeDaemonsShareThirtyThousandTasksEachRunsExactlyOnce(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("durable_three");
    List<String> nodes = List.of("e2e-" + channel + "-a", "e2e-" + channel + "-b", "e2e-" + channel + "-c");
    List<DaemonProcess> daemons = new ArrayList<>();
    try {
      for (String node : nodes) {
        daemons.add(Daemon.launch(database, Daemon.config(node, List.of(channel), 32, DurableTable.FAST),
            Files.createDirectories(directory.resolve(node)), List.of()));
      }
      for (DaemonProcess daemon : daemons) {
        daemon.awaitReady(WAIT);
      }

      // no-op tasks: the daemons' run journal (batched, complete once they stopped) records the runs
      List<String> uuids = table.enqueueMany(DurableTestTasks.NOOP, channel, 30_000, List.of(), Map.of());
      assertThat(uuids).hasSize(30_000).doesNotHaveDuplicates();

      await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> table.count(channel, "completed") == 30_000);
      for (DaemonProcess daemon : daemons) {
        assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
      }

      assertThat(table.states(channel)).containsExactly(entry("completed", 30_000));
      Map<String, Integer> runs = journal.runsByUuid(uuids);
      assertThat(runs).as("a run of every uuid").hasSize(30_000);
      assertThat(runs.values()).as("no task ran twice").containsOnly(1);
      Map<String, Integer> byNode = journal.runsByNode(channel);
      assertThat(byNode.keySet()).as("every daemon ran some: %s", byNode).containsExactlyInAnyOrderElementsOf(nodes);
      assertThat(byNode.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(30_000);
      assertThat(table.rows(channel).values()).allSatisfy(row -> {
        assertThat(row.attempt()).isEqualTo(1);
        assertThat(row.errors()).isEmpty();
      });
      for (int i = 0; i < daemons.size(); i++) {
        // each claimed what it ran, and only that
        assertThat(daemons.get(i).linesContaining("dispatcher stopped")).singleElement().asString()
            .contains("durable_claimed=" + byNode.get(nodes.get(i)) + " ").contains("durable_lease_expiries=0");
        assertThat(daemons.get(i).linesContaining("no longer its own")).as("no lease was lost").isEmpty();
      }
    } finally {
      daemons.forEach(DaemonProcess::close);
    }
  }

  @Test
  void aCancelSentToAnotherDaemonCancelsRowsNotClaimedYetAndTheRunningOneIsCancelledByItsDaemon(TestDatabase database,
      @TempDir Path directory) throws Exception {
    String busyChannel = Daemon.channel("durable_busy");
    String otherChannel = Daemon.channel("durable_other");
    String allowCancel = "control:\n  allow: [cancel]\n";
    try (DaemonProcess busy = Daemon.start(database, Daemon.config(List.of(busyChannel), 1, DurableTable.FAST + allowCancel),
            Files.createDirectories(directory.resolve("busy")));
        DaemonProcess other = Daemon.start(database, Daemon.config(List.of(otherChannel), 2, DurableTable.FAST + allowCancel),
            Files.createDirectories(directory.resolve("other")));
        ControlClient control = ControlClient.fromUrl(database.url())) {
      String running = table.enqueue(DurableTestTasks.SLOW, busyChannel, List.of(60.0), Map.of());
      await().atMost(WAIT).until(() -> table.runsOf(running).size() == 1);
      // the busy daemon's only slot is taken: these wait in the table, one available, one scheduled a minute ahead
      String available = table.enqueue(DurableTestTasks.RECORD, busyChannel, List.of(), Map.of());
      String scheduled = table.enqueue(DurableTestTasks.RECORD, busyChannel, List.of(), Map.of("delay", 60));
      assertThat(table.row(available).state()).isEqualTo("available");
      assertThat(table.row(scheduled).state()).isEqualTo("scheduled");

      // to the other daemon, which neither listens on their channel nor runs anything
      for (String uuid : List.of(available, scheduled)) {
        List<ControlReply> replies = control.send(otherChannel, "cancel", Map.of("uuid", uuid), 1, Duration.ofSeconds(10));
        assertThat(replies).singleElement().satisfies(reply -> assertThat(reply.isError()).isFalse());
      }
      assertThat(table.row(available).state()).isEqualTo("cancelled");
      assertThat(table.row(scheduled).state()).isEqualTo("cancelled");
      assertThat(table.row(available).finishedAt()).isNotNull();
      assertThat(other.linesContaining("cancelled durable task " + available + " (not claimed yet)")).hasSize(1);
      assertThat(other.linesContaining("cancelled durable task " + scheduled + " (not claimed yet)")).hasSize(1);
      assertThat(table.row(running).state()).as("still running on its daemon").isEqualTo("running");

      // the running one is in its daemon's pool: the cancel must reach that daemon
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
