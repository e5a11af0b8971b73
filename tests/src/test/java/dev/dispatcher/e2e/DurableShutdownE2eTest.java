package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a daemon holding durable rows: the rows it claimed but had not started go back to
 * available at once, the run the grace period cuts short is released too (its attempt not
 * counted), and nothing is lost: another daemon runs them, or, with none up, a daemon started
 * later. A daemon has one slot and claims three rows more ({@code durable.prefetch}), so it holds
 * one running row and three waiting in its queue; each task ({@link DurableTestTasks#sleepUntil})
 * sleeps until a time a few seconds ahead, so the run a shutdown cuts short would still be running,
 * and every run after returns at once.
 */
@ExtendWith(PostgresExtension.class)
class DurableShutdownE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern RELEASED = Pattern.compile("released on shutdown: durable task (\\S+) ");
  private static final int WORKERS = 1;
  private static final int PREFETCH = 3;
  /** Rows a daemon holds at most: its slots and its prefetch. */
  private static final int HELD = WORKERS + PREFETCH;

  private DurableTable table;
  private Journal journal;

  @BeforeEach
  void prepare(TestDatabase database) throws Exception {
    table = new DurableTable(database);
    journal = new Journal(database);
  }

  @Test
  void sigtermReleasesWhatTheDaemonHeldAndAnotherDaemonOrTheSameOneBackRunsIt(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("durable_sigterm");
    String nodeA = "e2e-" + channel + "-a";
    String nodeB = "e2e-" + channel + "-b";
    DaemonProcess b = Daemon.launch(database, config(nodeB, channel), Files.createDirectories(directory.resolve("b")), List.of());
    try (DaemonProcess a = Daemon.start(database, config(nodeA, channel), Files.createDirectories(directory.resolve("a")))) {
      b.awaitReady(WAIT);

      // 1. A stops while B runs: B runs what A held
      List<String> first = table.enqueueMany(DurableTestTasks.SLEEP_UNTIL, channel, 12, List.of(System.currentTimeMillis() + 5_000), Map.of());
      await().atMost(WAIT).until(() -> table.held(channel, nodeA) > 0 && table.held(channel, nodeB) > 0
          && table.runs(channel).stream().map(DurableTable.Run::nodeId).distinct().count() == 2);
      assertThat(table.held(channel, nodeA)).as("a daemon claims no more rows than its slots and prefetch").isLessThanOrEqualTo(HELD);
      assertThat(table.held(channel, nodeB)).as("a daemon claims no more rows than its slots and prefetch").isLessThanOrEqualTo(HELD);
      Set<String> heldByA = uuidsHeldBy(channel, nodeA);
      String cutShortOnA = runsOn(channel, nodeA).iterator().next();

      assertThat(a.stop(WAIT)).as("exit status; output:%n%s", a.output()).isZero();

      assertThat(table.held(channel, nodeA)).as("A holds nothing once it stopped").isZero();
      Set<String> released = released(a);
      assertThat(released).as("A's rows that never started").hasSize(heldByA.size() - 1).doesNotContain(cutShortOnA);
      assertThat(heldByA).containsAll(released).contains(cutShortOnA);
      assertThat(a.linesContaining("task " + cutShortOnA)).anySatisfy(line ->
          assertThat(line).contains("by the shutdown; released for another node"));

      await().atMost(WAIT).until(() -> table.count(channel, "completed") == 12);
      Map<String, DurableTable.Row> rows = table.rows(channel);
      assertThat(rows.values()).allSatisfy(row -> {
        assertThat(row.attemptedBy()).isEqualTo(nodeB);
        assertThat(row.attempt()).as("a released attempt is not counted").isEqualTo(1);
        assertThat(row.errors()).isEmpty();
      });
      Map<String, Integer> runs = table.runCounts(channel);
      assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(first);
      runs.forEach((uuid, count) -> assertThat(count).as(uuid).isEqualTo(uuid.equals(cutShortOnA) ? 2 : 1));
      assertThat(runsOn(channel, nodeA)).containsExactly(cutShortOnA);
      assertThat(journal.statuses(cutShortOnA)).containsExactlyInAnyOrder("cancelled", "succeeded");

      // 2. B stops with no other daemon up: what it held waits in the table until A is back
      List<String> second = table.enqueueMany(DurableTestTasks.SLEEP_UNTIL, channel, 6, List.of(System.currentTimeMillis() + 4_000), Map.of());
      // B claims as many as its slot and prefetch and starts one: the channel's runs are the first part's 13, and that one
      await().atMost(WAIT).until(() -> table.held(channel, nodeB) == HELD && table.runCount(channel) == 14);
      List<DurableTable.Run> runsSoFar = table.runs(channel);
      String cutShortOnB = runsSoFar.get(runsSoFar.size() - 1).uuid();

      assertThat(b.stop(WAIT)).as("exit status; output:%n%s", b.output()).isZero();

      assertThat(released(b)).hasSize(PREFETCH).doesNotContain(cutShortOnB);
      assertThat(table.states(channel)).as("none is left running").containsOnly(entry("completed", 12), entry("available", 6));
      try (DaemonProcess again = Daemon.start(database, config(nodeA, channel), Files.createDirectories(directory.resolve("a-again")))) {
        await().atMost(WAIT).until(() -> table.count(channel, "completed") == 18);
      }
      Map<String, DurableTable.Row> after = table.rows(channel);
      for (String uuid : second) {
        assertThat(after.get(uuid).attemptedBy()).isEqualTo(nodeA);
        assertThat(after.get(uuid).attempt()).isEqualTo(1);
        assertThat(after.get(uuid).errors()).isEmpty();
        assertThat(table.runsOf(uuid)).extracting(DurableTable.Run::nodeId)
            .isEqualTo(uuid.equals(cutShortOnB) ? List.of(nodeB, nodeA) : List.of(nodeA));
      }
    } finally {
      b.close();
    }
  }

  /** One slot and a prefetch of three; a grace period that a run outlasts. */
  private static String config(String nodeId, String channel) {
    return Daemon.config(nodeId, List.of(channel), WORKERS, DurableTable.FAST + "  prefetch: " + PREFETCH + "\n")
        .replace("shutdown_grace_period: 10s", "shutdown_grace_period: 500ms");
  }

  private Set<String> uuidsHeldBy(String channel, String nodeId) throws Exception {
    Set<String> held = new HashSet<>();
    table.rows(channel).values().stream().filter(row -> row.state().equals("running") && nodeId.equals(row.attemptedBy()))
        .forEach(row -> held.add(row.uuid()));
    return held;
  }

  private Set<String> runsOn(String channel, String nodeId) throws Exception {
    Set<String> ran = new HashSet<>();
    table.runs(channel).stream().filter(run -> run.nodeId().equals(nodeId)).forEach(run -> ran.add(run.uuid()));
    return ran;
  }

  /** The uuids the daemon logged as released on shutdown (claimed, never started). */
  private static Set<String> released(DaemonProcess daemon) {
    Set<String> uuids = new HashSet<>();
    for (String line : daemon.linesContaining("released on shutdown: durable task")) {
      Matcher matcher = RELEASED.matcher(line);
      if (matcher.find()) {
        uuids.add(matcher.group(1));
      }
    }
    return uuids;
  }
}
