package dev.dispatcher.service.producers.schedule;

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
 * Tick claims in the table {@value #TABLE}, one row per claimed tick: a claim is an
 * {@code INSERT … ON CONFLICT DO NOTHING}, won by the node whose row went in. Claims older than a
 * day are purged, except each schedule's latest (a cluster-wide {@code run_at_start} looks at it).
 */
public final class PostgresTickClaims implements TickClaims {

  public static final String TABLE = "dispatcher_schedule_ticks";

  /** Serialises the CREATE TABLE of daemons starting together (concurrent ones can collide in pg_type). */
  private static final long DDL_LOCK = 0x6469_7370_7469_636BL;
  private static final int QUERY_TIMEOUT_SECONDS = 10;
  private static final String UNDEFINED_TABLE = "42P01";

  private final DataSource dataSource;
  private final String nodeId;
  private volatile boolean tableReady;

  public PostgresTickClaims(DataSource dataSource, String nodeId) {
    this.dataSource = dataSource;
    this.nodeId = nodeId;
  }

  @Override
  public void prepare() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement ddl = connection.createStatement()) {
        ddl.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
        ddl.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")"); // released at commit or rollback
        ddl.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (schedule text NOT NULL, tick timestamptz NOT NULL,"
            + " node_id text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (schedule, tick))");
        connection.commit();
        connection.setAutoCommit(true);
      } catch (SQLException e) {
        try {
          connection.rollback();
          connection.setAutoCommit(true);
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
    }
    tableReady = true;
  }

  @Override
  public boolean claim(String schedule, Instant tick) throws SQLException {
    if (!tableReady) {
      prepare();
    }
    try {
      return insert(schedule, tick);
    } catch (SQLException e) {
      if (!UNDEFINED_TABLE.equals(e.getSQLState())) {
        throw e;
      }
      prepare(); // someone dropped the table: make it again and claim once more
      return insert(schedule, tick);
    }
  }

  private boolean insert(String schedule, Instant tick) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + TABLE + " (schedule, tick, node_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
      insert.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      insert.setString(1, schedule);
      // timestamptz keeps microseconds: truncate here so every node sends the very same value
      insert.setObject(2, OffsetDateTime.ofInstant(tick.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
      insert.setString(3, nodeId);
      return insert.executeUpdate() == 1;
    }
  }

  @Override
  public int purge() throws SQLException {
    if (!tableReady) {
      prepare();
    }
    try (Connection connection = dataSource.getConnection(); Statement delete = connection.createStatement()) {
      delete.setQueryTimeout(QUERY_TIMEOUT_SECONDS * 6);
      return delete.executeUpdate("DELETE FROM " + TABLE + " old WHERE old.tick < now() - interval '1 day'"
          + " AND EXISTS (SELECT 1 FROM " + TABLE + " newer WHERE newer.schedule = old.schedule AND newer.tick > old.tick)");
    }
  }
}
