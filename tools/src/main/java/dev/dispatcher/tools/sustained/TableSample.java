package dev.dispatcher.tools.sustained;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The task table at one moment: rows waiting, running, finished, and its size on disk with its dead rows. */
record TableSample(long waiting, long running, long finished, long totalBytes, long deadRows) {

  static TableSample of(Connection connection, String schema) throws SQLException {
    String table = "\"" + schema + "\".tasks";
    try (Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(30);
      long waiting = 0;
      long running = 0;
      long finished = 0;
      try (ResultSet states = statement.executeQuery("SELECT state, count(*) FROM " + table + " GROUP BY state")) {
        while (states.next()) {
          switch (states.getString(1)) {
            case "running" -> running += states.getLong(2);
            case "completed", "failed", "cancelled" -> finished += states.getLong(2);
            default -> waiting += states.getLong(2);
          }
        }
      }
      try (ResultSet size = statement.executeQuery("SELECT pg_total_relation_size('" + table + "'),"
          + " coalesce((SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = '" + schema + "' AND relname = 'tasks'), -1)")) {
        size.next();
        return new TableSample(waiting, running, finished, size.getLong(1), size.getLong(2));
      }
    }
  }
}
