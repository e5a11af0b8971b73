package dev.dispatcher.service.storage;

import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versioned migrations of the daemon's schema, applied by Flyway: the scripts
 * {@code V<n>__<what>.sql} in {@value #LOCATION} (this jar only, never a task jar's) and the Java
 * migrations given here ({@link CarryOverOldTickClaims}), recorded in
 * {@code <schema>.}{@value #HISTORY_TABLE}. Each migration runs in a transaction of its own.
 * Daemons starting together do not collide: Flyway holds a Postgres advisory lock while it
 * migrates, and the others wait for it and then find the schema up to date. A database migrated
 * by a newer daemon is accepted (its later migrations are ignored), so nodes can be upgraded one
 * at a time.
 *
 * <p>The first run creates the schema, which needs CREATE on the database; later ones need it on
 * the schema only when there is something to apply.
 */
public final class SchemaMigrations {

  private static final Logger log = LoggerFactory.getLogger(SchemaMigrations.class);

  /** Where the scripts are: a path of ours, so a {@code db/migration} of the application's is never picked up. */
  static final String LOCATION = "classpath:dev/dispatcher/service/storage/migrations";
  /** Named after us, not Flyway's default: the schema may be one the application also migrates with Flyway. */
  static final String HISTORY_TABLE = "dispatcher_schema_history";
  /** A failure's message is cut here: Flyway's can quote a whole statement. */
  private static final int MAX_MESSAGE = 2000;

  private final DataSource dataSource;
  private final SchemaName schema;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile boolean migrated;

  /** @param dataSource where to connect; Flyway opens and closes its own connections */
  public SchemaMigrations(DataSource dataSource, SchemaName schema) {
    this.dataSource = dataSource;
    this.schema = schema;
  }

  /**
   * Migrations through direct connections to {@code address}, named {@code dispatcher-migrations}
   * in pg_stat_activity unless the URL names them: not the daemon's pool, whose wait for a
   * connection would hold the start up for half a minute while the database is down.
   */
  public static SchemaMigrations at(DatabaseUrl address, SchemaName schema) {
    PGSimpleDataSource direct = new PGSimpleDataSource();
    direct.setURL(address.withDefaultOption("ApplicationName", "dispatcher-migrations").pgjdbcUrl());
    direct.setUser(address.user());
    direct.setPassword(address.password());
    return new SchemaMigrations(direct, schema);
  }

  public SchemaName schema() {
    return schema;
  }

  /**
   * Applies the migrations this database does not have yet; a no-op when it is up to date.
   *
   * @throws StorageException when the database does not answer, the user lacks a privilege, or a migration fails
   */
  public MigrationReport migrate() {
    long started = System.nanoTime();
    checkSchemaCanBeCreated();
    Flyway flyway = Flyway.configure(SchemaMigrations.class.getClassLoader())
        .dataSource(dataSource)
        .schemas(schema.value())
        .createSchemas(true)
        .table(HISTORY_TABLE)
        .locations(LOCATION)
        .javaMigrations(new CarryOverOldTickClaims(schema))
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        // A schema that already holds other objects (database.schema naming one of the application's)
        // gets a history starting at 0, and then every migration of ours.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .baselineDescription("objects of others already in the schema")
        .load();
    MigrateResult result;
    try {
      result = flyway.migrate();
    } catch (FlywayException e) {
      throw failure(e);
    }
    migrated = true;
    // The schema's version now, read back: daemons migrating at once take turns per migration (Flyway
    // locks each one), so the last one this run applied may be older than what the others went on to.
    String after = currentVersion(flyway);
    if (after == null) {
      after = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    }
    return new MigrationReport(schema, result.initialSchemaVersion, after, result.migrationsExecuted,
        (System.nanoTime() - started) / 1_000_000);
  }

  private String currentVersion(Flyway flyway) {
    try {
      org.flywaydb.core.api.MigrationInfo current = flyway.info().current();
      return current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
    } catch (FlywayException e) {
      throw failure(e);
    }
  }

  /**
   * {@link #ensureMigrated()} for the repositories, whose callers handle {@link SQLException}s.
   *
   * @throws SQLException what {@link #ensureMigrated()} throws, as its cause
   */
  void ensureMigratedForSql() throws java.sql.SQLException {
    try {
      ensureMigrated();
    } catch (StorageException e) {
      throw new java.sql.SQLException(e.getMessage(), e);
    }
  }

  /**
   * Migrates unless this object already did: the first caller migrates (and logs what it did),
   * later ones return at once. A failure is not remembered: the next call tries again.
   *
   * @throws StorageException as {@link #migrate()}
   */
  public void ensureMigrated() {
    if (migrated) {
      return;
    }
    lock.lock();
    try {
      if (!migrated) {
        log.info("storage: {}", migrate().describe());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Fails at once when the user may not create the schema, or the history table in it, and they are
   * missing: the usual trouble of a first start. Flyway would try ten times, a second apart (its way
   * with objects created by several processes at once), before saying so less clearly.
   */
  private void checkSchemaCanBeCreated() {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement("SELECT current_user, current_database(),"
            + " has_database_privilege(current_database(), 'CREATE'),"
            + " n.oid IS NOT NULL, n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'CREATE'), to_regclass(?) IS NOT NULL"
            + " FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = ?")) {
      query.setString(1, schema.qualify(HISTORY_TABLE));
      query.setString(2, schema.value());
      try (ResultSet row = query.executeQuery()) {
        row.next();
        String user = row.getString(1);
        String database = row.getString(2);
        boolean schemaExists = row.getBoolean(4);
        if (!schemaExists && !row.getBoolean(3)) {
          throw new StorageException(StorageException.Reason.NOT_PERMITTED, "cannot create schema " + schema + ": user " + user
              + " has no CREATE privilege on database " + database + ". " + createOnDatabaseHint(user, database), null);
        }
        if (schemaExists && !row.getBoolean(5) && !row.getBoolean(6)) {
          throw new StorageException(StorageException.Reason.NOT_PERMITTED, "cannot create the tables of schema " + schema + ": user "
              + user + " has no CREATE privilege on it. " + createOnSchemaHint(user), null);
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private StorageException failure(Exception e) {
    SQLException sql = sqlCause(e);
    String state = sql == null ? null : sql.getSQLState();
    String detail = sql != null ? sql.getMessage() : oneLine(e.getMessage());
    if (state != null && unreachable(state)) {
      return new StorageException(StorageException.Reason.UNREACHABLE,
          "cannot reach the database to migrate schema " + schema + ": " + detail, e);
    }
    if ("42501".equals(state)) {
      return new StorageException(StorageException.Reason.NOT_PERMITTED, "cannot migrate schema " + schema + ": " + detail
          + privilegeHint(detail), e);
    }
    return new StorageException(StorageException.Reason.FAILED, "migrating schema " + schema + " failed: " + oneLine(e.getMessage()), e);
  }

  /**
   * Connection exceptions (08), a rejected login (28), a database that does not exist yet (3D000),
   * too many connections (53300), a server shutting down or starting up (57P): none is the
   * migration's fault, and each may pass.
   */
  private static boolean unreachable(String state) {
    return state.startsWith("08") || state.startsWith("28") || state.equals("3D000") || state.equals("53300") || state.startsWith("57P");
  }

  /**
   * What to grant, with the real user and database names when a session can still be had; empty
   * when Postgres's message is about something else (a table of someone else's) and says it all.
   */
  private String privilegeHint(String detail) {
    boolean onDatabase = detail.contains("for database");
    if (!onDatabase && !detail.contains("for schema")) {
      return "";
    }
    String user = "<user>";
    String database = "<database>";
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT current_user, current_database()")) {
      if (row.next()) {
        user = row.getString(1);
        database = row.getString(2);
      }
    } catch (SQLException ignored) {
      // the placeholders then stand in
    }
    if (onDatabase) {
      return ". " + createOnDatabaseHint(user, database);
    }
    return ". " + createOnSchemaHint(user);
  }

  private String createOnDatabaseHint(String user, String database) {
    return "The database user needs CREATE on the database for the first start, to create schema " + schema
        + ": GRANT CREATE ON DATABASE " + database + " TO " + user + "; or an administrator creates the schema for it once"
        + " (CREATE SCHEMA " + schema + " AUTHORIZATION " + user + "), or runs `dispatcher-standalone migrate` as a user who may";
  }

  private String createOnSchemaHint(String user) {
    return "The database user needs CREATE on schema " + schema + " to apply a migration: ALTER SCHEMA " + schema + " OWNER TO " + user
        + " (or GRANT CREATE ON SCHEMA " + schema + " TO " + user + "), or an administrator runs `dispatcher-standalone migrate`"
        + " as a user who may";
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  /** Flyway's report (a title, a rule, then "Key : value" lines) as one line of a bounded length. */
  private static String oneLine(String text) {
    if (text == null) {
      return "(no message)";
    }
    StringBuilder line = new StringBuilder();
    for (String part : text.split("\\R")) {
      String trimmed = part.strip();
      if (trimmed.isEmpty() || trimmed.chars().allMatch(c -> c == '-')) {
        continue;
      }
      if (!line.isEmpty()) {
        line.append("; ");
      }
      line.append(trimmed.replaceAll("\\s+", " "));
    }
    return line.length() <= MAX_MESSAGE ? line.toString() : line.substring(0, MAX_MESSAGE) + " …";
  }
}
