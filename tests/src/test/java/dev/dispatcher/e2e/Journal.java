package dev.dispatcher.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code dispatcher_runs}, which the daemon's RunJournal hook fills. */
final class Journal {

  private final TestDatabase database;

  Journal(TestDatabase database) {
    this.database = database;
  }

  /** How many runs each of these uuids has (uuids that never ran are absent). */
  Map<String, Integer> runsByUuid(Collection<String> uuids) throws SQLException {
    Map<String, Integer> runs = new LinkedHashMap<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT uuid, count(*) FROM dispatcher_runs WHERE uuid = ANY (?) GROUP BY uuid")) {
      query.setArray(1, connection.createArrayOf("text", uuids.toArray()));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          runs.put(rows.getString(1), rows.getInt(2));
        }
      }
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return runs; // the hook has not created the table yet
      }
      throw e;
    }
    return runs;
  }

  int runs(String uuid) throws SQLException {
    return runsByUuid(List.of(uuid)).getOrDefault(uuid, 0);
  }

  /** One recorded run. */
  record Run(String uuid, String task, java.time.Instant startedAt, java.time.Instant finishedAt, String status) {}

  /** The runs of these uuids, in start order. */
  List<Run> runs(Collection<String> uuids) throws SQLException {
    List<Run> runs = new ArrayList<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT uuid, task, started_at, finished_at, status FROM dispatcher_runs WHERE uuid = ANY (?) ORDER BY started_at")) {
      query.setArray(1, connection.createArrayOf("text", uuids.toArray()));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          runs.add(new Run(rows.getString(1), rows.getString(2), rows.getTimestamp(3).toInstant(),
              rows.getTimestamp(4).toInstant(), rows.getString(5)));
        }
      }
    }
    return runs;
  }

  /** How many runs each node recorded on this channel. */
  Map<String, Integer> runsByNode(String channel) throws SQLException {
    Map<String, Integer> runs = new LinkedHashMap<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT node_id, count(*) FROM dispatcher_runs WHERE channel = ? GROUP BY node_id ORDER BY node_id")) {
      query.setString(1, channel);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          runs.put(rows.getString(1), rows.getInt(2));
        }
      }
    }
    return runs;
  }

  /** The status column of each run of this uuid. */
  List<String> statuses(String uuid) throws SQLException {
    List<String> statuses = new ArrayList<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT status FROM dispatcher_runs WHERE uuid = ?")) {
      query.setString(1, uuid);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          statuses.add(rows.getString(1));
        }
      }
    }
    return statuses;
  }
}
