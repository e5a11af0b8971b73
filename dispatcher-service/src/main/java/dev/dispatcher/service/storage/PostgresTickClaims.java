package dev.dispatcher.service.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;

/**
 * Tick claims in the table {@code <schema>.}{@value #TABLE}, one row per claimed tick: a claim is
 * an {@code INSERT … ON CONFLICT DO NOTHING}, won by the node whose row went in. Claims older than a
 * day are purged, except each schedule's latest (a cluster-wide {@code run_at_start} looks at it).
 * The table comes from the schema's migrations: until they ran (the database did not answer when
 * the daemon started), each call tries them first.
 */
final class PostgresTickClaims implements TickClaims {

  static final String TABLE = "schedule_ticks";

  private static final int QUERY_TIMEOUT_SECONDS = 10;

  private final DataSource pool;
  private final SchemaMigrations migrations;
  private final String table;
  private final String nodeId;

  PostgresTickClaims(DataSource pool, SchemaMigrations migrations, String nodeId) {
    this.pool = pool;
    this.migrations = migrations;
    this.table = migrations.schema().qualify(TABLE);
    this.nodeId = nodeId;
  }

  @Override
  public void prepare() throws SQLException {
    migrations.ensureMigratedForSql();
  }

  @Override
  public boolean claim(String schedule, Instant tick) throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + table + " (schedule, tick, node_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
      insert.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      insert.setString(1, schedule);
      // timestamptz keeps microseconds: truncate here so every node sends the very same value
      insert.setObject(2, OffsetDateTime.ofInstant(tick.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
      insert.setString(3, nodeId);
      return insert.executeUpdate() == 1;
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public int purge() throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection(); Statement delete = connection.createStatement()) {
      delete.setQueryTimeout(QUERY_TIMEOUT_SECONDS * 6);
      return delete.executeUpdate("DELETE FROM " + table + " old WHERE old.tick < now() - interval '1 day'"
          + " AND EXISTS (SELECT 1 FROM " + table + " newer WHERE newer.schedule = old.schedule AND newer.tick > old.tick)");
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  private SQLException missingTable(SQLException e) {
    return MissingTable.explain(e, table, migrations);
  }
}
