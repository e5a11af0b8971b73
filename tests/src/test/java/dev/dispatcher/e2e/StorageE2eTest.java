package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.e2e.tasks.ScheduleTasks;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's schema in the real jar: {@code migrate} brings it up to date (exit 0, also when run
 * twice, or twice at once) and the daemon then runs a cluster-wide schedule in it; a bad
 * {@code database.schema} is a config error (exit 2); a user who may not create the schema cannot
 * start the daemon (exit 1, saying what to grant); and a database of the daemons from before the
 * migrations is upgraded: the claims of {@code dispatcher_schedule_ticks} move into the schema and
 * a tick claimed there is not run again. Tests that need the public schema or the database's
 * privileges to themselves get a database of their own.
 */
@ExtendWith(PostgresExtension.class)
class StorageE2eTest {

  /** Every migration of the daemon's schema, in order (as SchemaMigrationsTest lists them): add each new one here. */

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String OLD_DDL = "CREATE TABLE dispatcher_schedule_ticks (schedule text NOT NULL, tick timestamptz NOT NULL,"
      + " node_id text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (schedule, tick))";

  private final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final List<String> dropAfter = new ArrayList<>();
  private TestDatabase server;

  @AfterEach
  void dropDatabasesAndRoles() throws SQLException {
    if (server == null) {
      return;
    }
    try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
      for (String drop : dropAfter) {
        statement.execute(drop);
      }
    }
  }

  @Test
  void migrateBringsTheSchemaUpToDateAndTheDaemonThenRunsAClusterWideScheduleInIt(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String schema = "e2e_" + id;
    String name = "cw_" + id;
    String channel = Daemon.channel("storage");
    String config = inSchema(schema, Daemon.config(List.of(channel), 2, "schedules:\n  " + name + ":\n    task: "
        + ScheduleTasks.NAME + "\n    interval: 1s\n    cluster_wide: true\n    args: [" + name + "]\n"));

    try (DaemonProcess migrate = migrate(database.url(), config, directory.resolve("first"))) {
      assertThat(migrate.awaitExit(WAIT)).as("exit status; output:%n%s", migrate.output()).isZero();
      assertThat(migrate.output()).contains("schema " + schema + " migrated to version " + SchemaVersions.LATEST + " (" + SchemaVersions.ALL.size()
          + " migrations applied in ");
    }
    try (DaemonProcess again = migrate(database.url(), config, directory.resolve("again"))) {
      assertThat(again.awaitExit(WAIT)).as("exit status; output:%n%s", again.output()).isZero();
      assertThat(again.output()).contains("schema " + schema + " is up to date at version " + SchemaVersions.LATEST);
    }

    try (DaemonProcess daemon = Daemon.start(database, config, directory)) {
      assertThat(daemon.linesContaining("storage: schema " + schema + " is up to date at version " + SchemaVersions.LATEST)).hasSize(1);
      await().atMost(WAIT).until(() -> claims(database.url(), schema + ".schedule_ticks", name).size() >= 3);
      await().atMost(WAIT).until(() -> runs(database.url(), name).keySet()
          .containsAll(claims(database.url(), schema + ".schedule_ticks", name).keySet().stream().limit(3).toList()));
      Map<Instant, String> claimed = claims(database.url(), schema + ".schedule_ticks", name);
      Map<Instant, Integer> ran = runs(database.url(), name);
      for (Instant tick : claimed.keySet().stream().limit(3).toList()) {
        assertThat(ran.get(tick)).as("runs of tick %s", tick).isEqualTo(1);
      }
      assertThat(claimed.values()).containsOnly("e2e-" + channel);
      assertThat(daemon.linesContaining("WARN").stream().filter(l -> l.contains("ScheduleProducer") || l.contains("storage"))).isEmpty();
    }
  }

  @Test
  void twoMigrationsAtOnceBothSucceedAndApplyEachVersionOnce(TestDatabase database, @TempDir Path directory) throws Exception {
    String schema = "e2e_twice_" + id;
    String config = inSchema(schema, Daemon.config(List.of(Daemon.channel("storage")), 2, ""));
    try (DaemonProcess a = migrate(database.url(), config, directory.resolve("a"));
        DaemonProcess b = migrate(database.url(), config, directory.resolve("b"))) {
      assertThat(a.awaitExit(WAIT)).as("exit status of a; output:%n%s", a.output()).isZero();
      assertThat(b.awaitExit(WAIT)).as("exit status of b; output:%n%s", b.output()).isZero();
    }
    try (Connection connection = DriverManager.getConnection(database.url()); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT version FROM " + schema + ".dispatcher_schema_history"
            + " WHERE type <> 'SCHEMA' AND success ORDER BY installed_rank")) {
      List<String> versions = new ArrayList<>();
      while (rows.next()) {
        versions.add(rows.getString(1));
      }
      assertThat(versions).containsExactlyElementsOf(SchemaVersions.ALL);
    }
  }

  @Test
  void aBadSchemaNameIsAConfigErrorForTheDaemonAndForMigrate(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = inSchema("Bad-Schema", Daemon.config(List.of(Daemon.channel("storage")), 2, ""));
    String expected = "config error: database.schema: must be a lower-case identifier (a-z, 0-9 and _, not starting with a digit"
        + " or pg_, at most 63 characters), was 'Bad-Schema'";
    try (DaemonProcess daemon = Daemon.launch(database, config, Files.createDirectories(directory.resolve("daemon")), List.of())) {
      assertThat(daemon.awaitExit(WAIT)).as("exit status; output:%n%s", daemon.output()).isEqualTo(2);
      assertThat(daemon.output()).contains(expected).doesNotContain(DaemonProcess.READY);
    }
    try (DaemonProcess migrate = migrate(database.url(), config, directory.resolve("migrate"))) {
      assertThat(migrate.awaitExit(WAIT)).as("exit status; output:%n%s", migrate.output()).isEqualTo(2);
      assertThat(migrate.output()).contains(expected);
    }
  }

  @Test
  void aUserWhoMayNotCreateTheSchemaCannotStartTheDaemonAndIsToldWhatToGrant(TestDatabase database, @TempDir Path directory)
      throws Exception {
    server = database;
    String own = freshDatabase(database);
    String role = "e2e_daemon_" + id;
    execute(database.url(), "CREATE ROLE " + role + " LOGIN PASSWORD 'secret'");
    dropAfter.add("DROP ROLE IF EXISTS " + role);
    String asRole = jdbcUrl(DatabaseUrl.parse(database.url()), own, role, "secret");
    String config = Daemon.config(List.of(Daemon.channel("storage")), 2, "");

    try (DaemonProcess daemon = Daemon.launch(database, config, directory, List.of(), Map.of("DISPATCHER_DATABASE_URL", asRole))) {
      assertThat(daemon.awaitExit(WAIT)).as("exit status; output:%n%s", daemon.output()).isEqualTo(1);
      assertThat(daemon.output())
          .contains("database error: cannot create schema dispatcher: user " + role + " has no CREATE privilege on database " + own)
          .contains("GRANT CREATE ON DATABASE " + own + " TO " + role)
          .doesNotContain(DaemonProcess.READY);
    }
  }

  @Test
  void anUpgradeCarriesTheOldClaimsOverAndATickClaimedBeforeIsNotRunAgain(TestDatabase database, @TempDir Path directory)
      throws Exception {
    server = database;
    String own = jdbcUrl(DatabaseUrl.parse(database.url()), freshDatabase(database), null, null);
    String claimed = "claimed_" + id;
    String unclaimed = "unclaimed_" + id;
    // As the earlier daemons left it: the table in the search_path (public), the current daily tick claimed
    // (and the next one, should midnight UTC pass before the daemon starts).
    Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
    execute(own, OLD_DDL, ScheduleTasks.DDL,
        "INSERT INTO dispatcher_schedule_ticks (schedule, tick, node_id) VALUES ('" + claimed + "', '" + today + "', 'old-node'),"
            + " ('" + claimed + "', '" + today.plus(Duration.ofDays(1)) + "', 'old-node')");
    String schedule = "    task: " + ScheduleTasks.NAME + "\n    interval: 1d\n    run_at_start: true\n    cluster_wide: true\n";
    String config = Daemon.config(List.of(Daemon.channel("upgrade")), 2, "schedules:\n"
        + "  " + claimed + ":\n" + schedule + "    args: [" + claimed + "]\n"
        + "  " + unclaimed + ":\n" + schedule + "    args: [" + unclaimed + "]\n");

    try (DaemonProcess daemon = Daemon.launch(database, config, directory, List.of("--log-level", "DEBUG"),
        Map.of("DISPATCHER_DATABASE_URL", own)).awaitReady(WAIT)) {
      assertThat(daemon.output()).contains("storage: 2 tick claim(s) carried over from public.dispatcher_schedule_ticks into"
          + " \"dispatcher\".schedule_ticks; public.dispatcher_schedule_ticks is no longer used");
      assertThat(claims(own, "dispatcher.schedule_ticks", claimed)).containsEntry(today, "old-node");

      // the unclaimed schedule runs its current tick at start, the claimed one does not
      await().atMost(WAIT).until(() -> !runs(own, unclaimed).isEmpty());
      Instant current = runs(own, unclaimed).keySet().iterator().next();
      assertThat(daemon.awaitLine(line -> line.contains("schedule " + claimed + ": tick " + current + " claimed by another node"), WAIT))
          .as("output:%n%s", daemon.output()).isTrue();
      assertThat(runs(own, claimed)).isEmpty();
      assertThat(claims(own, "dispatcher.schedule_ticks", claimed).get(current)).isEqualTo("old-node");
    }
    assertThat(claims(own, "public.dispatcher_schedule_ticks", claimed)).as("the old table is kept").hasSize(2);
  }

  // ---------------------------------------------------------------- helpers

  private static String inSchema(String schema, String config) {
    return config.replaceFirst("database:\n", "database:\n  schema: \"" + schema + "\"\n");
  }

  private static DaemonProcess migrate(String url, String config, Path directory) throws Exception {
    Files.createDirectories(directory);
    Path file = Files.writeString(directory.resolve("dispatcher.yml"), config);
    return DaemonProcess.start(Daemon.DAEMON_JAR, List.of("migrate", "--config", file.toString()), Map.of("DISPATCHER_DATABASE_URL", url),
        directory.resolve("migrate.log"));
  }

  /** A database of this test's own on the test server, dropped after it; returns its name. */
  private String freshDatabase(TestDatabase database) throws SQLException {
    String name = "e2e_storage_" + id;
    execute(database.url(), "CREATE DATABASE " + name);
    dropAfter.add("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    return name;
  }

  private static String jdbcUrl(DatabaseUrl server, String database, String user, String password) {
    String login = user != null ? "user=" + user + "&password=" + password
        : "user=" + server.user() + (server.password() == null ? "" : "&password=" + server.password());
    return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database + "?" + login;
  }

  private static void execute(String url, String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  /** Claimed ticks of a schedule and the node that claimed each, in tick order. */
  private static Map<Instant, String> claims(String url, String table, String schedule) throws SQLException {
    Map<Instant, String> claims = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(url);
        PreparedStatement query = connection.prepareStatement("SELECT tick, node_id FROM " + table + " WHERE schedule = ?")) {
      query.setString(1, schedule);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          claims.put(rows.getTimestamp(1).toInstant(), rows.getString(2));
        }
      }
    }
    return claims;
  }

  /** How many times each tick of a schedule ran (as ScheduleTasks records it), in tick order. */
  private static Map<Instant, Integer> runs(String url, String label) throws SQLException {
    Map<Instant, Integer> runs = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(url);
        PreparedStatement query = connection.prepareStatement("SELECT tick, count(*) FROM " + ScheduleTasks.TABLE
            + " WHERE label = ? GROUP BY tick")) {
      query.setString(1, label);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          runs.put(rows.getTimestamp(1).toInstant(), rows.getInt(2));
        }
      }
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return runs; // no run yet: the task makes its table at its first run
      }
      throw e;
    }
    return runs;
  }
}
