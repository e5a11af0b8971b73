package dev.dispatcher.service.storage;

import dev.dispatcher.jdbc.DatabaseUrl;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's storage in Postgres: the migrations of its schema, and the repositories its parts
 * use, built on the daemon's connection pool.
 */
public final class PostgresStorage {

  private static final Logger log = LoggerFactory.getLogger(PostgresStorage.class);

  private final SchemaMigrations migrations;
  private final TickClaims tickClaims;
  private final Notifier notifier;
  private final DurableTasks durableTasks;
  private final SuspendedTasks suspendedTasks;
  private final TaskRecords taskRecords;

  /**
   * @param address where the migrations connect, with sessions of their own
   * @param schema the schema of the daemon's tables
   * @param pool the daemon's pool, for claims and notifications
   * @param nodeId recorded with each claimed tick
   */
  public PostgresStorage(DatabaseUrl address, SchemaName schema, DataSource pool, String nodeId) {
    this(SchemaMigrations.at(address, schema), pool, nodeId);
  }

  PostgresStorage(SchemaMigrations migrations, DataSource pool, String nodeId) {
    this.migrations = migrations;
    this.tickClaims = new PostgresTickClaims(pool, migrations, nodeId);
    this.notifier = new PostgresNotifier(pool);
    this.durableTasks = new PostgresDurableTasks(pool, migrations);
    this.suspendedTasks = new PostgresSuspendedTasks(pool, migrations);
    this.taskRecords = new PostgresTaskRecords(pool, migrations);
  }

  /**
   * Brings the schema up to date before the daemon uses it. A database that does not answer yet
   * is no reason not to start (the listener waits for it too): that is logged, and the first use
   * of the schema migrates it once the database answers.
   *
   * @throws StorageException when the database answered and the migration failed or was not permitted
   */
  public void migrateAtStart() {
    try {
      migrations.ensureMigrated();
    } catch (StorageException e) {
      if (!e.unreachable()) {
        throw e;
      }
      log.warn("storage: {}; starting anyway, the schema is migrated at its first use once the database answers"
          + " (cluster-wide schedules skip their ticks until then)", e.getMessage());
    }
  }

  /** The task types suspended cluster-wide. */
  public SuspendedTasks suspendedTasks() {
    return suspendedTasks;
  }

  /** Claims of cluster-wide schedule ticks. */
  public TickClaims tickClaims() {
    return tickClaims;
  }

  /** The durable task table. */
  public DurableTasks durableTasks() {
    return durableTasks;
  }

  /** The task table as records of requests: status by uuid, a client's requests. */
  public TaskRecords taskRecords() {
    return taskRecords;
  }

  /** NOTIFYs through the pool (control replies). */
  public Notifier notifier() {
    return notifier;
  }
}
