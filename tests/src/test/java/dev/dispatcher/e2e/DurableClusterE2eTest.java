package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

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

/** A burst shared by three daemons on one channel: each task runs exactly once, and every daemon runs some. */
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
}
