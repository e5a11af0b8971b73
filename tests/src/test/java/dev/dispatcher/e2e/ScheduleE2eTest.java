package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.e2e.tasks.ScheduleTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules in the real daemon: an interval schedule fires one interval after start and then on
 * time, {@code run_at_start} fires at once, a cron schedule is accepted and announces its next
 * (whole-minute) fire time, a bad cron stops start-up, and a cluster-wide schedule shared by two
 * daemons fires each tick exactly once. Runs are recorded by {@link ScheduleTasks} with the tick
 * they belong to. (Cron timing itself is covered by the unit tests, with a fixed clock.)
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Pattern FIRST_AT = Pattern.compile("first at (\\S+)");
  /** Where the daemons claim ticks: the default schema's table, made by its migrations. */
  static final String CLAIMS = "dispatcher.schedule_ticks";

  private final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final String every = "every_" + id;
  private final String atStart = "at_start_" + id;
  private final String cron = "cron_" + id;
  private final String channel = Daemon.channel("sched");
  private TestDatabase database;
  private DaemonProcess daemon;

  @BeforeAll
  void startOneDaemonWithLocalSchedules(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    execute(ScheduleTasks.DDL);
    String schedules = "schedules:\n"
        + "  " + every + ":\n    task: " + ScheduleTasks.NAME + "\n    interval: 1s\n    args: [" + every + "]\n"
        + "  " + atStart + ":\n    task: " + ScheduleTasks.NAME + "\n    interval: 1h\n    run_at_start: true\n    args: [" + atStart + "]\n"
        + "  " + cron + ":\n    task: " + ScheduleTasks.NAME + "\n    cron: \"* * * * *\"\n    timezone: Europe/Paris\n"
        + "    args: [" + cron + "]\n";
    daemon = Daemon.start(database, Daemon.config(List.of(channel), 4, schedules), directory);
  }

  @AfterAll
  void stopDaemon() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void anIntervalScheduleFirstFiresOneIntervalAfterStartThenOnTime() throws Exception {
    String startLine = single(daemon, "schedule " + every + ": task ");
    assertThat(startLine).contains("task " + ScheduleTasks.NAME + ", every 1s, this node only, first at ");
    Instant loggedAt = loggedAt(startLine); // just after the schedule took its start time

    await().atMost(WAIT).until(() -> runs(every).size() >= 3);
    List<Run> runs = runs(every);
    assertThat(runs).extracting(Run::uuid).doesNotHaveDuplicates();
    assertThat(runs).extracting(Run::origin).containsOnly("schedule:" + every);
    assertThat(runs).extracting(Run::nodeId).containsOnly("e2e-" + channel);

    Run first = runs.get(0);
    assertThat(first.tick()).as("the first tick is one interval after start")
        .isBetween(loggedAt.plusMillis(500), loggedAt.plusMillis(1100)); // the log line comes just after the start time
    assertThat(first.startedAt()).as("the first run does not start before one interval after start")
        .isAfterOrEqualTo(first.tick());
    for (int i = 0; i < runs.size(); i++) {
      Run run = runs.get(i);
      assertThat(run.tick()).as("tick %d", i).isEqualTo(first.tick().plusSeconds(i));
      assertThat(run.startedAt()).as("run %d starts at its tick", i).isBetween(run.tick(), run.tick().plusMillis(2000));
    }
  }

  @Test
  void aRunAtStartScheduleFiresRightAwayAndThenWaitsItsInterval() throws Exception {
    String startLine = single(daemon, "schedule " + atStart + ": task ");
    assertThat(startLine).contains("every 1h, this node only, first at ").endsWith("(run at start)");
    Instant loggedAt = loggedAt(startLine);

    await().atMost(WAIT).until(() -> runs(atStart).size() == 1);
    Run run = runs(atStart).get(0);
    assertThat(run.tick()).as("the tick is the start").isBetween(loggedAt.minusMillis(1000), loggedAt.plusMillis(1));
    assertThat(run.startedAt()).as("right away, not an interval (1 h) later").isBefore(loggedAt.plusSeconds(10));

    await().atMost(WAIT).until(() -> runs(every).size() >= 2); // time passes: still no second run
    assertThat(runs(atStart)).hasSize(1);
  }

  @Test
  void aCronScheduleIsAcceptedAndAnnouncesItsNextWholeMinute() throws Exception {
    String startLine = single(daemon, "schedule " + cron + ": task ");
    assertThat(startLine).contains("task " + ScheduleTasks.NAME + ", cron '* * * * *' in Europe/Paris, this node only, first at ");
    Matcher matcher = FIRST_AT.matcher(startLine);
    assertThat(matcher.find()).isTrue();
    OffsetDateTime next = OffsetDateTime.parse(matcher.group(1));
    Instant loggedAt = loggedAt(startLine);

    assertThat(next.getSecond()).isZero();
    assertThat(next.getNano()).isZero();
    assertThat(next.getOffset()).isEqualTo(ZoneId.of("Europe/Paris").getRules().getOffset(next.toInstant()));
    assertThat(next.toInstant()).isAfter(loggedAt.minusMillis(1)).isBefore(loggedAt.plusSeconds(61));
    // Should a minute have turned meanwhile, its run belongs to the whole minute
    for (Run run : runs(cron)) {
      assertThat(run.tick().truncatedTo(ChronoUnit.MINUTES)).isEqualTo(run.tick());
      assertThat(run.startedAt()).isAfterOrEqualTo(run.tick());
    }
  }

  @Test
  void aBadCronExpressionStopsStartUpNamingTheKeyAndField(@TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("sched_bad")), 2,
        "schedules:\n  bad:\n    task: " + ScheduleTasks.NAME + "\n    cron: \"61 * * * *\"\n    args: [x]\n");
    try (DaemonProcess bad = Daemon.launch(database, config, directory, List.of())) {
      assertThat(bad.awaitExit(Duration.ofSeconds(60))).as("exit status; output:%n%s", bad.output()).isEqualTo(2);
      assertThat(bad.output()).contains(
          "config error: schedules.bad.cron: invalid cron expression '61 * * * *': minute field '61': 61 is out of range 0-59");
    }
  }

  @Test
  void aClusterWideScheduleOnTwoDaemonsFiresEachTickExactlyOnce(@TempDir Path directory) throws Exception {
    String name = "cw_" + id;
    // The claims table is there: the daemon of @BeforeAll migrated the schema at its start.
    // Old claims: the daemon purges those older than a day at start, except each schedule's latest.
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    insertClaim(name + "_old", now.minus(Duration.ofDays(3)));
    insertClaim(name + "_old", now.minus(Duration.ofDays(2)));
    insertClaim(name + "_lone", now.minus(Duration.ofDays(3)));

    String schedule = "schedules:\n  " + name + ":\n    task: " + ScheduleTasks.NAME + "\n    interval: 1s\n    cluster_wide: true\n"
        + "    args: [" + name + "]\n";
    Path dirA = Files.createDirectories(directory.resolve("a"));
    Path dirB = Files.createDirectories(directory.resolve("b"));
    String channelA = Daemon.channel("cw_a");
    String channelB = Daemon.channel("cw_b");
    List<String> debug = List.of("--log-level", "DEBUG");
    try (DaemonProcess a = Daemon.launch(database, Daemon.config(List.of(channelA), 4, schedule), dirA, debug)) {
      a.awaitReady(Duration.ofSeconds(60));
      try (DaemonProcess b = Daemon.launch(database, Daemon.config(List.of(channelB), 4, schedule), dirB, debug)) {
        b.awaitReady(Duration.ofSeconds(60));
        checkExactlyOncePerTick(name, now, a, b, "e2e-" + channelA, "e2e-" + channelB);
      }
    }
  }

  private void checkExactlyOncePerTick(String name, Instant now, DaemonProcess a, DaemonProcess b, String nodeA, String nodeB)
      throws Exception {
    Instant startedA = loggedAt(single(a, "schedule " + name + ": task "));
    String lineB = single(b, "schedule " + name + ": task ");
    assertThat(lineB).contains("every 1s (ticks at multiples of 1s since the epoch), cluster-wide, first at ");
    Instant bothUp = loggedAt(lineB);

    // five ticks with both daemons competing, and the run of every claimed tick up to then
    Instant lastTick = bothUp.truncatedTo(ChronoUnit.SECONDS).plusSeconds(5);
    await().atMost(WAIT).until(() -> claims(name).keySet().stream().anyMatch(t -> !t.isBefore(lastTick)));
    await().atMost(WAIT).until(() -> {
      Map<Instant, String> claimed = claims(name);
      claimed.keySet().removeIf(t -> t.isAfter(lastTick));
      return runsByTick(name, lastTick).keySet().containsAll(claimed.keySet());
    });

    Map<Instant, String> claimed = claims(name);
    claimed.keySet().removeIf(t -> t.isAfter(lastTick));
    Map<Instant, List<Run>> runs = runsByTick(name, lastTick);

    // every tick from the first to the last was claimed (aligned on whole seconds, none missing)...
    List<Instant> ticks = new ArrayList<>(claimed.keySet());
    Instant firstTick = ticks.get(0);
    // A's schedule line is logged just after it took its start time: on a loaded machine that can lag by tens of ms
    assertThat(firstTick).as("the first whole second after A started").isBetween(startedA.minusMillis(500), startedA.plusMillis(1001))
        .isEqualTo(firstTick.truncatedTo(ChronoUnit.SECONDS));
    for (int i = 0; i < ticks.size(); i++) {
      assertThat(ticks.get(i)).isEqualTo(firstTick.plusSeconds(i));
    }
    // ... and ran exactly once, on the node that claimed it; nothing ran unclaimed
    assertThat(runs.keySet()).containsExactlyElementsOf(claimed.keySet());
    for (Instant tick : ticks) {
      assertThat(runs.get(tick)).as("runs of tick %s", tick).singleElement()
          .satisfies(run -> assertThat(run.nodeId()).isEqualTo(claimed.get(tick)));
    }
    int total = runs.values().stream().mapToInt(List::size).sum();
    assertThat(total).isEqualTo(claimed.size());
    // one run a second from the first tick (pinned to A's start above) to the last, both included
    assertThat(total).as("runs from %s to %s at one a second", firstTick, lastTick)
        .isEqualTo((int) Duration.between(firstTick, lastTick).toSeconds() + 1);

    // both daemons took part in each tick once both were up: one fired it, the other saw it claimed
    for (Instant tick : ticks) {
      if (tick.isAfter(bothUp.plusMillis(100))) {
        DaemonProcess winner = claimed.get(tick).equals(nodeA) ? a : b;
        DaemonProcess loser = winner == a ? b : a;
        await().atMost(WAIT).until(() -> !loser.linesContaining("schedule " + name + ": tick " + tick + " claimed by another node").isEmpty());
        assertThat(winner.linesContaining("schedule " + name + ": tick " + tick + " fired task")).hasSize(1);
        assertThat(loser.linesContaining("schedule " + name + ": tick " + tick + " fired task")).isEmpty();
      }
    }

    // old claims purged at start, each schedule's latest kept; and no warning from the schedules
    assertThat(claims(name + "_old").keySet()).containsExactly(now.minus(Duration.ofDays(2)));
    assertThat(claims(name + "_lone")).hasSize(1);
    assertThat(a.linesContaining("WARN").stream().filter(l -> l.contains("ScheduleProducer"))).isEmpty();
    assertThat(b.linesContaining("WARN").stream().filter(l -> l.contains("ScheduleProducer"))).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  private record Run(String uuid, String nodeId, String origin, Instant tick, Instant startedAt) {}

  private static String single(DaemonProcess process, String text) {
    List<String> lines = process.linesContaining(text);
    assertThat(lines).as("lines containing '%s' in:%n%s", text, process.output()).hasSize(1);
    return lines.get(0);
  }

  /** The timestamp the daemon's log line starts with. */
  private static Instant loggedAt(String line) {
    return OffsetDateTime.parse(line.substring(0, line.indexOf(' '))).toInstant();
  }

  private List<Run> runs(String label) throws SQLException {
    List<Run> runs = new ArrayList<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT uuid, node_id, origin, tick, started_at FROM "
            + ScheduleTasks.TABLE + " WHERE label = ? ORDER BY tick, started_at")) {
      query.setString(1, label);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          runs.add(new Run(rows.getString(1), rows.getString(2), rows.getString(3), rows.getTimestamp(4).toInstant(),
              rows.getTimestamp(5).toInstant()));
        }
      }
    }
    return runs;
  }

  private Map<Instant, List<Run>> runsByTick(String label, Instant upTo) throws SQLException {
    Map<Instant, List<Run>> byTick = new TreeMap<>();
    for (Run run : runs(label)) {
      if (!run.tick().isAfter(upTo)) {
        byTick.computeIfAbsent(run.tick(), t -> new ArrayList<>()).add(run);
      }
    }
    return byTick;
  }

  /** Claimed ticks of a schedule and the node that claimed each, in tick order. */
  private Map<Instant, String> claims(String schedule) throws SQLException {
    Map<Instant, String> claims = new TreeMap<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT tick, node_id FROM " + CLAIMS + " WHERE schedule = ?")) {
      query.setString(1, schedule);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          claims.put(rows.getTimestamp(1).toInstant(), rows.getString(2));
        }
      }
    }
    return claims;
  }

  private void insertClaim(String schedule, Instant tick) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + CLAIMS + " (schedule, tick, node_id, claimed_at) VALUES (?, ?, 'old-node', ?)")) {
      insert.setString(1, schedule);
      insert.setTimestamp(2, Timestamp.from(tick));
      insert.setTimestamp(3, Timestamp.from(tick));
      insert.executeUpdate();
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
