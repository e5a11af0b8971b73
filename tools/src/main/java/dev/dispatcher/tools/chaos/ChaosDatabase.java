package dev.dispatcher.tools.chaos;

import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The tool's own access to the database: connections, the journal table, the per-scenario reset, the samples and the final count. */
final class ChaosDatabase {

  private final DatabaseUrl url;

  ChaosDatabase(DatabaseUrl url) {
    this.url = url;
  }

  /** The address the daemons get (as {@code DISPATCHER_DATABASE_URL}). */
  DatabaseUrl url() {
    return url;
  }

  /**
   * A new connection named {@code applicationName}, autocommit. Connecting gives up after 5 s;
   * a statement waiting on the server gives up after {@code socketTimeoutSeconds} (0: never).
   */
  Connection connect(String applicationName, int socketTimeoutSeconds) throws SQLException {
    java.util.Properties properties = new java.util.Properties();
    if (url.user() != null) {
      properties.setProperty("user", url.user());
    }
    if (url.password() != null) {
      properties.setProperty("password", url.password());
    }
    properties.setProperty("ApplicationName", applicationName);
    properties.setProperty("connectTimeout", "5");
    properties.setProperty("loginTimeout", "5");
    properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
    properties.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(url.pgjdbcUrl(), properties);
  }

  /** A control connection: spared by the terminate scenario. */
  Connection control() throws SQLException {
    return connect(ChaosSchema.CONTROL_APPLICATION, 120);
  }

  String serverVersion() throws SQLException {
    try (Connection connection = control(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT current_setting('server_version'), current_setting('max_connections'),"
            + " current_setting('synchronous_commit'), current_setting('fsync')")) {
      row.next();
      return "PostgreSQL " + row.getString(1) + " (max_connections " + row.getString(2) + ", synchronous_commit " + row.getString(3)
          + ", fsync " + row.getString(4) + ")";
    }
  }

  /** The journal, next to the task table the daemons' migrations made. */
  void createJournal() throws SQLException {
    try (Connection connection = control(); Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE IF NOT EXISTS " + ChaosSchema.JOURNAL + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
          + " uuid uuid NOT NULL, node_id text, attempt integer, ran_at timestamptz NOT NULL DEFAULT clock_timestamp())");
      ddl.execute("CREATE INDEX IF NOT EXISTS chaos_runs_uuid ON " + ChaosSchema.JOURNAL + " (uuid)");
    }
  }

  /** Empties the task table and the journal for the next scenario (no daemon runs meanwhile). */
  void reset() throws SQLException {
    try (Connection connection = control(); Statement statement = connection.createStatement()) {
      statement.execute("TRUNCATE " + ChaosSchema.TASKS + ", " + ChaosSchema.JOURNAL);
      statement.execute("VACUUM ANALYZE " + ChaosSchema.TASKS);
    }
  }

  /** Completed rows so far and the table's dead tuples (-1 when the statistics have no row yet). */
  long[] progress(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT (SELECT count(*) FROM " + ChaosSchema.TASKS + " WHERE state = 'completed'),"
            + " coalesce((SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = '" + ChaosSchema.SCHEMA
            + "' AND relname = 'tasks'), -1)")) {
      row.next();
      return new long[] {row.getLong(1), row.getLong(2)};
    }
  }

  /** Rows in state running whose lease this node holds (per the table). */
  long runningOn(String node) throws SQLException {
    try (Connection connection = control(); PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM "
        + ChaosSchema.TASKS + " WHERE state = 'running' AND attempted_by = ?")) {
      query.setString(1, node);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  /** Rows not completed yet. */
  long notCompleted() throws SQLException {
    try (Connection connection = control(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT count(*) FROM " + ChaosSchema.TASKS + " WHERE state <> 'completed'")) {
      row.next();
      return row.getLong(1);
    }
  }

  /** VACUUM of the task table, then its dead tuples: those the vacuum could not remove (still visible to some snapshot). */
  long vacuumAndCountDead() throws SQLException {
    try (Connection connection = control(); Statement statement = connection.createStatement()) {
      statement.execute("VACUUM " + ChaosSchema.TASKS);
      return progress(connection)[1];
    }
  }

  long deadTuples() throws SQLException {
    try (Connection connection = control()) {
      return progress(connection)[1];
    }
  }

  /**
   * The final count of a scenario.
   *
   * @param acknowledged uuids whose enqueue the publisher saw succeed
   * @param unconfirmed uuids of the batch in flight when the publisher stopped (no answer seen)
   */
  Accounting account(Collection<String> acknowledged, Collection<String> unconfirmed) throws SQLException {
    try (Connection connection = control(); Statement statement = connection.createStatement()) {
      Set<String> rows = new HashSet<>();
      long completed = 0;
      Map<String, Long> notCompletedByState = new LinkedHashMap<>();
      long retriedRows = 0;
      try (ResultSet result = statement.executeQuery("SELECT uuid::text, state, attempt FROM " + ChaosSchema.TASKS)) {
        while (result.next()) {
          rows.add(result.getString(1));
          String state = result.getString(2);
          if (state.equals("completed")) {
            completed++;
          } else {
            notCompletedByState.merge(state, 1L, Long::sum);
          }
          if (result.getInt(3) > 1) {
            retriedRows++;
          }
        }
      }
      List<String> acknowledgedMissing = new ArrayList<>();
      for (String uuid : acknowledged) {
        if (!rows.contains(uuid)) {
          acknowledgedMissing.add(uuid);
        }
      }
      long unconfirmedPresent = unconfirmed.stream().filter(rows::contains).count();

      long runTwice;
      long extraRuns;
      long sameAttempt;
      long afterExpiredLease;
      long afterFailedAttempt;
      try (ResultSet result = statement.executeQuery("WITH d AS (SELECT uuid, count(*) AS runs, count(DISTINCT attempt) AS attempts FROM "
          + ChaosSchema.JOURNAL + " GROUP BY uuid HAVING count(*) > 1),"
          + " c AS (SELECT d.*, EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(t.errors, '[]')) e"
          + " WHERE e->>'error' LIKE 'lease expired%') AS lease,"
          + " EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(t.errors, '[]')) e WHERE e->>'kind' IN ('failed', 'timed_out')) AS failed"
          + " FROM d LEFT JOIN " + ChaosSchema.TASKS + " t ON t.uuid = d.uuid)"
          + " SELECT count(*), coalesce(sum(runs - 1), 0), count(*) FILTER (WHERE attempts < runs),"
          + " count(*) FILTER (WHERE attempts = runs AND lease), count(*) FILTER (WHERE attempts = runs AND NOT lease AND failed) FROM c")) {
        result.next();
        runTwice = result.getLong(1);
        extraRuns = result.getLong(2);
        sameAttempt = result.getLong(3);
        afterExpiredLease = result.getLong(4);
        afterFailedAttempt = result.getLong(5);
      }
      long completedWithoutRun;
      try (ResultSet result = statement.executeQuery("SELECT count(*) FROM " + ChaosSchema.TASKS + " t WHERE t.state = 'completed'"
          + " AND NOT EXISTS (SELECT 1 FROM " + ChaosSchema.JOURNAL + " j WHERE j.uuid = t.uuid)")) {
        result.next();
        completedWithoutRun = result.getLong(1);
      }
      Map<String, Long> errorsByKind = new LinkedHashMap<>();
      String firstFailure = null;
      try (ResultSet result = statement.executeQuery("SELECT CASE WHEN e->>'error' LIKE 'lease expired%' THEN 'lease expired'"
          + " ELSE coalesce(e->>'kind', '?') END AS kind, count(*), min(e->>'error') FROM " + ChaosSchema.TASKS + " t,"
          + " jsonb_array_elements(t.errors) e GROUP BY 1 ORDER BY 2 DESC")) {
        while (result.next()) {
          errorsByKind.put(result.getString(1), result.getLong(2));
          if (firstFailure == null && !result.getString(1).equals("lease expired")) {
            firstFailure = result.getString(3);
          }
        }
      }
      List<String> lostRows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery("SELECT uuid, state, attempt, attempted_by, lease_until, run_at, errors->-1 FROM "
          + ChaosSchema.TASKS + " WHERE state <> 'completed' ORDER BY id LIMIT 10")) {
        while (result.next()) {
          lostRows.add(result.getString(1) + " state " + result.getString(2) + ", attempt " + result.getInt(3) + ", attempted_by "
              + result.getString(4) + ", lease_until " + result.getString(5) + ", run_at " + result.getString(6) + ", last error "
              + result.getString(7));
        }
      }
      return new Accounting(rows.size(), completed, notCompletedByState, acknowledgedMissing, unconfirmed.size(), unconfirmedPresent,
          runTwice, extraRuns, sameAttempt, afterExpiredLease, afterFailedAttempt, completedWithoutRun, retriedRows, errorsByKind,
          firstFailure, lostRows);
    }
  }

  /** The journal's runs of these uuids: node, attempt, time. */
  List<String> runsOf(Collection<String> uuids) throws SQLException {
    List<String> runs = new ArrayList<>();
    if (uuids.isEmpty()) {
      return runs;
    }
    try (Connection connection = control(); PreparedStatement query = connection.prepareStatement("SELECT uuid, node_id, attempt, ran_at FROM "
        + ChaosSchema.JOURNAL + " WHERE uuid::text = ANY (?) ORDER BY uuid, id")) {
      query.setArray(1, connection.createArrayOf("text", uuids.toArray()));
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          runs.add(result.getString(1) + " ran on " + result.getString(2) + " at attempt " + result.getInt(3) + ", " + result.getString(4));
        }
      }
    }
    return runs;
  }

  /** Uuids that ran more than once, at most {@code limit}, those where an attempt number repeats first. */
  List<String> duplicated(int limit) throws SQLException {
    List<String> uuids = new ArrayList<>();
    try (Connection connection = control(); PreparedStatement query = connection.prepareStatement("SELECT uuid::text FROM "
        + ChaosSchema.JOURNAL + " GROUP BY uuid HAVING count(*) > 1 ORDER BY count(DISTINCT attempt) < count(*) DESC, min(id) LIMIT ?")) {
      query.setInt(1, limit);
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          uuids.add(result.getString(1));
        }
      }
    }
    return uuids;
  }
}
