package dev.dispatcher.service.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The schema's migrations against a real Postgres, each test in a database of its own. */
@ExtendWith(PostgresExtension.class)
class SchemaMigrationsTest {

  /** Every migration, in order (V2 is the Java one), and the last. */
  private static final List<String> VERSIONS = List.of("1", "2", "3", "4", "5", "6", "7");
  private static final String LATEST = VERSIONS.get(VERSIONS.size() - 1);

  private static final SchemaName DEFAULT = SchemaName.of(SchemaName.DEFAULT);
  private static final String OLD_DDL = "CREATE TABLE dispatcher_schedule_ticks (schedule text NOT NULL, tick timestamptz NOT NULL,"
      + " node_id text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (schedule, tick))";

  private FreshDatabase database;
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeEach
  void freshDatabase(TestDatabase server) throws SQLException {
    database = FreshDatabase.on(server);
  }

  @AfterEach
  void dropIt() throws Exception {
    for (AutoCloseable closeable : closeLater) {
      closeable.close();
    }
    database.close();
  }

  @Test
  void anEmptyDatabaseGetsTheSchemaItsTableAndTheHistory() throws Exception {
    MigrationReport report = SchemaMigrations.at(database.url(), DEFAULT).migrate();

    assertThat(report.before()).isNull();
    assertThat(report.after()).isEqualTo(LATEST);
    assertThat(report.applied()).isEqualTo(VERSIONS.size());
    assertThat(report.describe()).startsWith("schema dispatcher migrated to version " + LATEST + " (" + VERSIONS.size() + " migrations applied in ");
    assertThat(columns("dispatcher", "schedule_ticks")).containsExactly("schedule", "tick", "node_id", "claimed_at");
    assertThat(appliedVersions("dispatcher")).containsExactlyElementsOf(VERSIONS);
    assertThat(tablesOf("public")).as("nothing outside our schema").isEmpty();
  }

  @Test
  void aSecondRunIsANoOp() throws Exception {
    SchemaMigrations.at(database.url(), DEFAULT).migrate();
    int historyRows = count("SELECT count(*) FROM dispatcher." + SchemaMigrations.HISTORY_TABLE);

    MigrationReport again = SchemaMigrations.at(database.url(), DEFAULT).migrate();

    assertThat(again.applied()).isZero();
    assertThat(again.before()).isEqualTo(LATEST);
    assertThat(again.after()).isEqualTo(LATEST);
    assertThat(again.describe()).isEqualTo("schema dispatcher is up to date at version " + LATEST);
    assertThat(count("SELECT count(*) FROM dispatcher." + SchemaMigrations.HISTORY_TABLE)).isEqualTo(historyRows);
  }

  @Test
  void aSchemaANewerVersionMigratedFurtherIsAccepted() throws Exception {
    SchemaMigrations.at(database.url(), DEFAULT).migrate();
    database.execute("INSERT INTO dispatcher." + SchemaMigrations.HISTORY_TABLE + " (installed_rank, version, description, type, script,"
        + " checksum, installed_by, execution_time, success) SELECT max(installed_rank) + 1, '99', 'of a newer daemon', 'SQL',"
        + " 'V99__of_a_newer_daemon.sql', 1, current_user, 1, true FROM dispatcher." + SchemaMigrations.HISTORY_TABLE);

    MigrationReport report = SchemaMigrations.at(database.url(), DEFAULT).migrate();

    assertThat(report.applied()).as("an older daemon, during a rolling upgrade").isZero();
    assertThat(report.after()).isEqualTo("99");
  }

  @Test
  void daemonsMigratingAtOnceAllSucceedAndEachMigrationRunsOnce() throws Exception {
    int daemons = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(daemons);
    try {
      List<Future<MigrationReport>> runs = new ArrayList<>();
      for (int i = 0; i < daemons; i++) {
        SchemaMigrations migrations = SchemaMigrations.at(database.url(), DEFAULT);
        runs.add(threads.submit(() -> {
          go.await();
          return migrations.migrate();
        }));
      }
      go.countDown();
      int applied = 0;
      for (Future<MigrationReport> run : runs) {
        MigrationReport report = run.get(); // throws if any of them failed
        assertThat(report.after()).isEqualTo(LATEST);
        applied += report.applied();
      }
      assertThat(applied).as("every migration applied by exactly one of them").isEqualTo(VERSIONS.size());
      assertThat(appliedVersions("dispatcher")).containsExactlyElementsOf(VERSIONS);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void claimsOfTheOldTableAreCarriedOverAndNotClaimedAgain() throws Exception {
    Instant hourAgo = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
    Instant latest = hourAgo.plusSeconds(1800);
    database.execute(OLD_DDL,
        "INSERT INTO dispatcher_schedule_ticks VALUES ('report', '" + hourAgo + "', 'old-a', '" + hourAgo + "')",
        "INSERT INTO dispatcher_schedule_ticks VALUES ('report', '" + latest + "', 'old-b', '" + latest + "')");

    MigrationReport report = SchemaMigrations.at(database.url(), DEFAULT).migrate();

    assertThat(report.applied()).isEqualTo(VERSIONS.size());
    assertThat(claims("dispatcher.schedule_ticks")).isEqualTo(Map.of(hourAgo, "old-a", latest, "old-b"));
    assertThat(count("SELECT count(*) FROM public.dispatcher_schedule_ticks")).as("the old table is kept").isEqualTo(2);
    assertThat(tableComment("public.dispatcher_schedule_ticks")).startsWith("dispatcher: no longer used; claims moved to \"dispatcher\".schedule_ticks");
    try (HikariDataSource pool = pool(database.url())) {
      TickClaims claims = new PostgresStorage(SchemaMigrations.at(database.url(), DEFAULT), pool, "new-node").tickClaims();
      assertThat(claims.claim("report", latest)).as("a tick an earlier daemon ran is not run again").isFalse();
      assertThat(claims.claim("report", latest.plusSeconds(1800))).isTrue();
    }
  }

  @Test
  void theOldTableIsFoundWhereTheConnectionsSearchPathPutIt() throws Exception {
    database.execute("CREATE SCHEMA app", "CREATE TABLE app.dispatcher_schedule_ticks (schedule text NOT NULL,"
        + " tick timestamptz NOT NULL, node_id text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (schedule, tick))",
        "INSERT INTO app.dispatcher_schedule_ticks (schedule, tick, node_id) VALUES ('nightly', '2026-11-30T03:30:00Z', 'old')");
    DatabaseUrl withSearchPath = withOption(database.url(), "options", "-c search_path=app");

    SchemaMigrations.at(withSearchPath, DEFAULT).migrate();

    assertThat(claims("dispatcher.schedule_ticks")).isEqualTo(Map.of(Instant.parse("2026-11-30T03:30:00Z"), "old"));
  }

  @Test
  void aCustomSchemaHoldsItsOwnTableApartFromTheDefaultOne() throws Exception {
    SchemaName tenant = SchemaName.of("tenant_a");
    Instant tick = Instant.parse("2026-12-01T00:00:00Z");
    try (HikariDataSource pool = pool(database.url())) {
      TickClaims inTenant = new PostgresStorage(SchemaMigrations.at(database.url(), tenant), pool, "node-1").tickClaims();
      inTenant.prepare();
      assertThat(schemas()).contains("tenant_a").doesNotContain("dispatcher");
      assertThat(appliedVersions("tenant_a")).containsExactlyElementsOf(VERSIONS);
      assertThat(inTenant.claim("s", tick)).isTrue();

      TickClaims inDefault = new PostgresStorage(SchemaMigrations.at(database.url(), DEFAULT), pool, "node-2").tickClaims();
      assertThat(inDefault.claim("s", tick)).as("another schema, another cluster").isTrue();
      assertThat(claims("tenant_a.schedule_ticks")).isEqualTo(Map.of(tick, "node-1"));
      assertThat(claims("dispatcher.schedule_ticks")).isEqualTo(Map.of(tick, "node-2"));
    }
  }

  @Test
  void aSchemaThatAlreadyHoldsOtherObjectsIsMigratedToo() throws Exception {
    database.execute("CREATE SCHEMA app", "CREATE TABLE app.orders (id int PRIMARY KEY)");

    MigrationReport report = SchemaMigrations.at(database.url(), SchemaName.of("app")).migrate();

    assertThat(report.after()).isEqualTo(LATEST);
    assertThat(tablesOf("app")).containsExactlyInAnyOrder("orders", "schedule_ticks", "tasks", "suspended_tasks", SchemaMigrations.HISTORY_TABLE);
  }

  @Test
  void aUserWithoutCreateOnTheDatabaseIsToldWhatToGrant() throws Exception {
    DatabaseUrl daemon = role("plain");

    StorageException e = catchThrowableOfType(StorageException.class, () -> SchemaMigrations.at(daemon, DEFAULT).migrate());

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(StorageException.Reason.NOT_PERMITTED);
    assertThat(e.unreachable()).isFalse();
    assertThat(e.getMessage())
        .startsWith("cannot create schema dispatcher: user " + daemon.user() + " has no CREATE privilege on database " + database.name())
        .contains("needs CREATE on the database for the first start")
        .contains("GRANT CREATE ON DATABASE " + database.name() + " TO " + daemon.user())
        .contains("CREATE SCHEMA dispatcher AUTHORIZATION " + daemon.user());
  }

  @Test
  void aSchemaAnAdministratorCreatedForTheUserNeedsNoCreateOnTheDatabase() throws Exception {
    DatabaseUrl daemon = role("owner");
    database.execute("CREATE SCHEMA dispatcher AUTHORIZATION " + daemon.user());

    assertThat(SchemaMigrations.at(daemon, DEFAULT).migrate().after()).isEqualTo(LATEST);
  }

  @Test
  void aSchemaTheUserMayNotCreateInIsReportedWithWhatToGrant() throws Exception {
    DatabaseUrl daemon = role("guest");
    database.execute("CREATE SCHEMA dispatcher", "GRANT USAGE ON SCHEMA dispatcher TO " + daemon.user());

    StorageException e = catchThrowableOfType(StorageException.class, () -> SchemaMigrations.at(daemon, DEFAULT).migrate());

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(StorageException.Reason.NOT_PERMITTED);
    assertThat(e.getMessage()).startsWith("cannot create the tables of schema dispatcher: user " + daemon.user()
        + " has no CREATE privilege on it").contains("ALTER SCHEMA dispatcher OWNER TO " + daemon.user());
  }

  @Test
  void onceMigratedByAnAdministratorTheDaemonsUserNeedsNoCreateAtAll() throws Exception {
    SchemaMigrations.at(database.url(), DEFAULT).migrate();
    DatabaseUrl daemon = role("dml");
    database.execute("GRANT USAGE ON SCHEMA dispatcher TO " + daemon.user(),
        "GRANT SELECT ON dispatcher." + SchemaMigrations.HISTORY_TABLE + " TO " + daemon.user(),
        "GRANT SELECT, INSERT, DELETE ON dispatcher.schedule_ticks TO " + daemon.user());

    assertThat(SchemaMigrations.at(daemon, DEFAULT).migrate().applied()).isZero();
    try (HikariDataSource pool = pool(daemon)) {
      TickClaims claims = new PostgresStorage(SchemaMigrations.at(daemon, DEFAULT), pool, "n").tickClaims();
      assertThat(claims.claim("s", Instant.parse("2026-12-01T00:00:00Z"))).isTrue();
      assertThat(claims.purge()).isZero();
    }
  }

  @Test
  void aChangedMigrationIsAFailureNotAnOutage() throws Exception {
    SchemaMigrations.at(database.url(), DEFAULT).migrate();
    database.execute("UPDATE dispatcher." + SchemaMigrations.HISTORY_TABLE + " SET checksum = checksum + 1 WHERE version = '1'");

    StorageException e = catchThrowableOfType(StorageException.class, () -> SchemaMigrations.at(database.url(), DEFAULT).migrate());

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(StorageException.Reason.FAILED);
    assertThat(e.getMessage()).startsWith("migrating schema dispatcher failed: ").contains("checksum mismatch");
  }

  @Test
  void aDatabaseThatDoesNotAnswerIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    DatabaseUrl nowhere = new DatabaseUrl("127.0.0.1", closedPort, "nothing", "nobody", null, Map.of());

    StorageException e = catchThrowableOfType(StorageException.class, () -> SchemaMigrations.at(nowhere, DEFAULT).migrate());

    assertThat(e).isNotNull();
    assertThat(e.unreachable()).isTrue();
    assertThat(e.getMessage()).startsWith("cannot reach the database to migrate schema dispatcher: ").contains("refused");
  }

  // ---------------------------------------------------------------- helpers

  /** A login role with no privileges of its own (not even CREATE on the database: PUBLIC has only CONNECT and TEMP). */
  private DatabaseUrl role(String purpose) throws SQLException {
    String name = purpose + "_" + database.name(); // roles are the server's: one per database, dropped with it
    database.execute("CREATE ROLE " + name + " LOGIN PASSWORD 'secret-" + name + "'",
        "REVOKE CREATE ON DATABASE " + database.name() + " FROM PUBLIC");
    closeLater.add(() -> database.execute("DROP OWNED BY " + name, "DROP ROLE " + name));
    return database.as(name, "secret-" + name);
  }

  private HikariDataSource pool(DatabaseUrl url) {
    return ConnectionPools.create(url, "storage-test", 2);
  }

  private static DatabaseUrl withOption(DatabaseUrl url, String key, String value) {
    Map<String, String> options = new java.util.LinkedHashMap<>(url.options());
    options.put(key, value);
    return new DatabaseUrl(url.host(), url.port(), url.database(), url.user(), url.password(), options);
  }

  private List<String> columns(String schema, String table) throws SQLException {
    return strings("SELECT column_name FROM information_schema.columns WHERE table_schema = '" + schema + "' AND table_name = '"
        + table + "' ORDER BY ordinal_position");
  }

  private List<String> tablesOf(String schema) throws SQLException {
    return strings("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema + "'");
  }

  private List<String> schemas() throws SQLException {
    return strings("SELECT nspname FROM pg_namespace");
  }

  private List<String> appliedVersions(String schema) throws SQLException {
    return strings("SELECT version FROM " + schema + "." + SchemaMigrations.HISTORY_TABLE
        + " WHERE type <> 'SCHEMA' AND success ORDER BY installed_rank");
  }

  private String tableComment(String table) throws SQLException {
    return strings("SELECT obj_description('" + table + "'::regclass, 'pg_class')").get(0);
  }

  private Map<Instant, String> claims(String table) throws SQLException {
    Map<Instant, String> claims = new TreeMap<>();
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT tick, node_id FROM " + table)) {
      while (rows.next()) {
        claims.put(rows.getTimestamp(1).toInstant(), rows.getString(2));
      }
    }
    return claims;
  }

  private int count(String sql) throws SQLException {
    try (Connection connection = database.connect(); PreparedStatement query = connection.prepareStatement(sql);
        ResultSet row = query.executeQuery()) {
      row.next();
      return row.getInt(1);
    }
  }

  private List<String> strings(String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }
}
