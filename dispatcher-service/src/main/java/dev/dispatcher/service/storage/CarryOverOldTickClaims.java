package dev.dispatcher.service.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migration 2: the claims of daemons from before the migrations, in {@value #OLD_TABLE}, are
 * carried over into the schema's {@code schedule_ticks}, so a tick already claimed there (a
 * cluster-wide {@code run_at_start} looks at the latest) is not run again.
 *
 * <p>In Java rather than SQL because the old table is wherever the earlier daemon's search_path put
 * it, and the operator should read where that was and what became of it. Flyway puts our schema
 * first in the search_path and keeps the connection's own after it, so the unqualified name finds
 * the very table the earlier daemons used.
 *
 * <p>The old table is kept, with a comment saying it is no longer used: daemons of the earlier
 * version still claim in it while a cluster is upgraded node by node, and a downgrade finds its
 * claims there. It can be dropped once every node runs this version.
 */
final class CarryOverOldTickClaims implements JavaMigration {

  private static final Logger log = LoggerFactory.getLogger(CarryOverOldTickClaims.class);

  static final String OLD_TABLE = "dispatcher_schedule_ticks";

  private final SchemaName schema;

  CarryOverOldTickClaims(SchemaName schema) {
    this.schema = schema;
  }

  @Override
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion("2");
  }

  @Override
  public String getDescription() {
    return "carry over " + OLD_TABLE;
  }

  /** Fixed: the history records it, and a changed value would make validation fail on migrated databases. */
  @Override
  public Integer getChecksum() {
    return 2;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection connection = context.getConnection();
    String old = oldTable(connection);
    if (old == null) {
      return;
    }
    String claims = schema.qualify(PostgresTickClaims.TABLE);
    int carried;
    try (Statement statement = connection.createStatement()) {
      carried = statement.executeUpdate("INSERT INTO " + claims + " (schedule, tick, node_id, claimed_at)"
          + " SELECT schedule, tick, node_id, claimed_at FROM " + old + " ON CONFLICT DO NOTHING");
    }
    boolean noted = note(connection, old, claims);
    log.info("storage: {} tick claim(s) carried over from {} into {}; {} is no longer used{} and can be dropped once every node"
        + " runs this version (daemons of earlier versions still claim in it)", carried, old, claims, old, noted ? " (said in its comment)" : "");
  }

  /** The old table, schema-qualified and quoted, or null when the search_path leads to none. */
  private static String oldTable(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
      query.setString(1, OLD_TABLE);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  /** Comments the old table; only its owner may, and a migration by another user goes on without it. */
  private static boolean note(Connection connection, String old, String claims) throws SQLException {
    Savepoint before = connection.setSavepoint();
    try (Statement statement = connection.createStatement()) {
      statement.execute("COMMENT ON TABLE " + old + " IS 'dispatcher: no longer used; claims moved to " + claims.replace("'", "''")
          + " (schema history version 2). Daemons of earlier versions still claim here: drop it once every node is upgraded.'");
      connection.releaseSavepoint(before);
      return true;
    } catch (SQLException e) {
      connection.rollback(before);
      log.debug("storage: {} not commented: {}", old, e.getMessage());
      return false;
    }
  }
}
