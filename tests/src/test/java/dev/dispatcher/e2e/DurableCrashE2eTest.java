package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable rows survive what kills, freezes or cuts off a daemon: a daemon killed with SIGKILL in the
 * middle of a burst (its rows come back when their lease expires and the other daemon runs them; a
 * task runs twice only when its lease expired), a daemon frozen past its lease, and every
 * connection of a daemon terminated by the server in the middle of a stream (the daemon reconnects
 * and goes on, nothing lost). The runs are
 * the ones the tasks recorded as they started, in their own transactions, so a killed daemon
 * cannot take them with it.
 */
@ExtendWith(PostgresExtension.class)
class DurableCrashE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  private DurableTable table;

  @BeforeEach
  void prepare(TestDatabase database) throws Exception {
    table = new DurableTable(database);
  }

  @Test
  void aDaemonKilledMidBurstLosesNothingAndOnlyItsExpiredLeasesRunTwice(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("durable_kill");
    String nodeA = "e2e-" + channel + "-a";
    String nodeB = "e2e-" + channel + "-b";
    DaemonProcess a = Daemon.launch(database, Daemon.config(nodeA, List.of(channel), 32, DurableTable.FAST),
        Files.createDirectories(directory.resolve("a")), List.of());
    try (DaemonProcess b = Daemon.start(database, Daemon.config(nodeB, List.of(channel), 32, DurableTable.FAST),
        Files.createDirectories(directory.resolve("b")))) {
      a.awaitReady(WAIT);
      List<String> uuids = table.enqueueMany(DurableTestTasks.RECORD, channel, 10_000, List.of(), Map.of());

      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> runsOn(database, channel, nodeA) >= 500);
      ProcessHandle.of(a.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no shutdown, no release, no last outcomes
      assertThat(a.awaitExit(WAIT)).as("killed").isEqualTo(137);
      int heldByKilled = table.held(channel, nodeA);
      assertThat(heldByKilled).as("the killed daemon held rows (mid-burst)").isPositive();
      assertThat(table.count(channel, "completed")).as("mid-burst").isLessThan(10_000);

      await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> table.count(channel, "completed") == 10_000);

      Map<String, DurableTable.Row> rows = table.rows(channel);
      assertThat(rows).hasSize(10_000);
      Set<String> expired = new HashSet<>();
      rows.values().forEach(row -> {
        assertThat(row.state()).isEqualTo("completed");
        if (row.leaseExpiries().isEmpty()) {
          assertThat(row.attempt()).isEqualTo(1);
          assertThat(row.errors()).isEmpty();
        } else {
          expired.add(row.uuid());
          assertThat(row.attempt()).as("the killed daemon's attempt counts").isEqualTo(2);
          assertThat(row.attemptedBy()).isEqualTo(nodeB);
          assertThat(row.errors()).singleElement().satisfies(error -> {
            assertThat(error.get("node").asText()).isEqualTo(nodeA);
            assertThat(error.get("attempt").asInt()).isEqualTo(1);
          });
        }
      });
      // what the killed daemon held (running, queued, or finished with the outcome not written yet), within
      // the bytes it had sent when it died
      assertThat(expired).as("the killed daemon held %s rows", heldByKilled).isNotEmpty().hasSizeLessThanOrEqualTo(heldByKilled + 64);

      Map<String, List<DurableTable.Run>> runs = new HashMap<>();
      table.runs(channel).forEach(run -> runs.computeIfAbsent(run.uuid(), uuid -> new ArrayList<>()).add(run));
      assertThat(runs.keySet()).as("every task ran").containsExactlyInAnyOrderElementsOf(uuids);
      Set<String> twice = new HashSet<>();
      runs.forEach((uuid, ofUuid) -> {
        assertThat(ofUuid.size()).as(uuid).isBetween(1, 2);
        if (ofUuid.size() == 2) {
          twice.add(uuid);
          assertThat(ofUuid).extracting(DurableTable.Run::nodeId, DurableTable.Run::attempt)
              .containsExactly(tuple(nodeA, 1), tuple(nodeB, 2));
        }
      });
      assertThat(expired).as("tasks that ran twice had their lease expire").containsAll(twice);

      // the survivor rescued them: one line each, and its counter
      for (String uuid : expired) {
        assertThat(b.linesContaining("durable task " + uuid + " e2e.durable.record: its lease on node " + nodeA
            + " expired during attempt 1; it runs again")).as(uuid).hasSize(1);
      }
      assertThat(b.stop(WAIT)).as("exit status; output:%n%s", b.output()).isZero();
      assertThat(b.linesContaining("dispatcher stopped")).singleElement().asString()
          .containsPattern("durable_lease_expiries=" + expired.size() + "\\b");
      assertThat(b.linesContaining("no longer its own")).as("the survivor lost no lease").isEmpty();
    } finally {
      a.close();
    }
  }

  @Test
  void everyDaemonConnectionTerminatedMidStreamLosesNothingAndProcessingResumes(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("durable_terminate");
    String node = "e2e-" + channel;
    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 8, DurableTable.FAST), directory)) {
      // a stream: 300 rows falling due one every 20 ms, over 6 s
      List<ObjectNode> stream = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        stream.add(DurableTable.task(DurableTestTasks.RECORD, channel, List.of(), Map.of("delay", i * 0.02)));
      }
      List<String> uuids = table.enqueueMany(stream);
      await().atMost(WAIT).until(() -> table.count(channel, "completed") >= 50);

      Instant cut;
      int terminated;
      try (Connection connection = database.connect();
          PreparedStatement terminate = connection.prepareStatement("SELECT now(), count(*) FILTER (WHERE pg_terminate_backend(pid))"
              + " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
              + " AND application_name IN ('dispatcher-daemon', 'dispatcher-listener ' || ?) GROUP BY 1")) {
        terminate.setString(1, node);
        try (ResultSet row = terminate.executeQuery()) {
          assertThat(row.next()).as("daemon connections to terminate").isTrue();
          cut = row.getTimestamp(1).toInstant();
          terminated = row.getInt(2);
        }
      }
      assertThat(terminated).as("the listener's and the pool's").isGreaterThanOrEqualTo(2);
      assertThat(table.count(channel, "completed")).as("mid-stream").isLessThan(300);

      await().atMost(WAIT).until(() -> table.count(channel, "completed") == 300);

      assertThat(daemon.awaitLine(line -> line.contains("listener reconnected"), WAIT)).as("output:%n%s", daemon.output()).isTrue();
      Map<String, DurableTable.Row> rows = table.rows(channel);
      Duration worst = Duration.ZERO;
      for (DurableTable.Row row : rows.values()) {
        if (row.runAt().isAfter(cut)) {
          Duration late = Duration.between(row.runAt(), row.attemptedAt());
          worst = late.compareTo(worst) > 0 ? late : worst;
        }
      }
      assertThat(worst).as("every row due after the cut started within a few seconds of its time").isLessThan(Duration.ofSeconds(5));
      Set<String> expired = new HashSet<>();
      rows.values().stream().filter(row -> !row.leaseExpiries().isEmpty()).forEach(row -> expired.add(row.uuid()));
      Map<String, Integer> runs = table.runCounts(channel);
      assertThat(runs.keySet()).as("every task ran").containsExactlyInAnyOrderElementsOf(uuids);
      runs.forEach((uuid, count) -> {
        if (count > 1) {
          assertThat(expired).as("%s ran %s times", uuid, count).contains(uuid);
        }
      });
      assertThat(daemon.isAlive()).isTrue();
      assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
      assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString().contains("listener_losses=1");
    }
  }

  /**
   * A daemon frozen (SIGSTOP, as a long GC pause or a suspended VM would) past its lease while it
   * runs a task: the other daemon rescues the row and runs it again; once the frozen one goes on,
   * its heartbeat reports the row as taken, and the outcome of its own run is refused by the fence.
   */
  @Test
  void aDaemonFrozenPastItsLeaseLosesTheRowToTheOtherAndSaysSo(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("durable_freeze");
    Map<String, DaemonProcess> daemons = new HashMap<>();
    try {
      for (String name : List.of("a", "b")) {
        String node = "e2e-" + channel + "-" + name;
        daemons.put(node, Daemon.launch(database, Daemon.config(node, List.of(channel), 2, DurableTable.FAST)
            .replace("shutdown_grace_period: 10s", "shutdown_grace_period: 500ms"), Files.createDirectories(directory.resolve(name)), List.of()));
      }
      for (DaemonProcess daemon : daemons.values()) {
        daemon.awaitReady(WAIT);
      }
      String uuid = table.enqueue(DurableTestTasks.SLOW_FIRST, channel, List.of(60.0), Map.of());
      await().atMost(WAIT).until(() -> table.runsOf(uuid).size() == 1);
      String frozenNode = table.runsOf(uuid).get(0).nodeId();
      String otherNode = daemons.keySet().stream().filter(node -> !node.equals(frozenNode)).findFirst().orElseThrow();
      DaemonProcess frozen = daemons.get(frozenNode);
      DaemonProcess other = daemons.get(otherNode);

      signal("STOP", frozen);
      try {
        assertThat(other.awaitLine(line -> line.contains("durable task " + uuid + " e2e.durable.slow_first: its lease on node " + frozenNode
            + " expired during attempt 1; it runs again"), WAIT)).as("output:%n%s", other.output()).isTrue();
        await().atMost(WAIT).until(() -> table.row(uuid).state().equals("completed"));
      } finally {
        signal("CONT", frozen);
      }

      assertThat(frozen.awaitLine(line -> line.contains("1 of 1 durable row(s) of this node were no longer its own"), WAIT))
          .as("output:%n%s", frozen.output()).isTrue();
      assertThat(frozen.stop(WAIT)).isZero(); // cuts its run short: the release is fenced off
      assertThat(frozen.linesContaining("no longer its own")).as("reported once").hasSize(1);
      assertThat(frozen.linesContaining("1 of 1 durable outcome(s) not written: their rows' lease was lost meanwhile")).hasSize(1);
      DurableTable.Row row = table.row(uuid);
      assertThat(row.state()).isEqualTo("completed");
      assertThat(row.attempt()).isEqualTo(2);
      assertThat(row.attemptedBy()).isEqualTo(otherNode);
      assertThat(row.errors()).singleElement().satisfies(error -> {
        assertThat(error.get("node").asText()).isEqualTo(frozenNode);
        assertThat(error.get("error").asText()).startsWith("lease expired");
      });
      assertThat(table.runsOf(uuid)).extracting(DurableTable.Run::nodeId, DurableTable.Run::attempt)
          .containsExactly(tuple(frozenNode, 1), tuple(otherNode, 2));
      assertThat(other.linesContaining("no longer its own")).isEmpty();
    } finally {
      daemons.values().forEach(DaemonProcess::close);
    }
  }

  /** Sends SIGSTOP or SIGCONT to the daemon's process. */
  private static void signal(String signal, DaemonProcess daemon) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(daemon.pid())).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %s", signal, daemon.pid()).isZero();
  }

  /** Runs the node recorded on the channel so far. */
  private static int runsOn(TestDatabase database, String channel, String nodeId) throws Exception {
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM " + DurableTestTasks.TABLE
            + " WHERE channel = ? AND node_id = ?")) {
      query.setString(1, channel);
      query.setString(2, nodeId);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }
}
