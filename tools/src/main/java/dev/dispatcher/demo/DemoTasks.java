package dev.dispatcher.demo;

import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** The demo's tasks, after the Python dispatcher's demo. Registered by {@code tasks.packages: [dev.dispatcher.demo]}. */
public final class DemoTasks {

  private final DemoDataSource database = new DemoDataSource();
  private volatile boolean tableReady;

  /** Says hello; the result shows in the daemon's log. */
  @Task
  public static String hello() {
    return "hello from dispatcher";
  }

  /** Sleeps (interruptibly), like a task waiting on I/O. */
  @Task
  public static void sleep(double seconds) throws InterruptedException {
    Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
  }

  @Task
  public static long sum2(long a, long b) {
    return a + b;
  }

  @Task
  public static long mult3(long a, long b, long c) {
    return a * b * c;
  }

  /** Always fails, to show how failures are logged and counted. */
  @Task
  public static void fail() {
    throw new IllegalStateException("this task fails on purpose");
  }

  /**
   * Inserts a row into {@code dispatcher_demo_rows}, so the effect of a task can be checked with
   * SQL. Bound: it records its own uuid next to the note.
   */
  @Task(name = "dev.dispatcher.demo.DemoTasks.insert_row", bind = true)
  public void insertRow(TaskContext context, String note) throws SQLException {
    try (Connection connection = database.get().getConnection()) {
      if (!tableReady) {
        createTable(connection);
      }
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO dispatcher_demo_rows (uuid, note, node_id) VALUES (?, ?, ?)")) {
        insert.setString(1, context.uuid());
        insert.setString(2, note);
        insert.setString(3, context.nodeId());
        insert.executeUpdate();
      }
    }
  }

  /**
   * Two concurrent {@code CREATE TABLE IF NOT EXISTS} can both try to create the table, and one
   * fails on a unique index of the catalog: one at a time here, and the loser of a race with
   * another daemon carries on.
   */
  private synchronized void createTable(Connection connection) throws SQLException {
    if (tableReady) {
      return;
    }
    try (Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE IF NOT EXISTS dispatcher_demo_rows (uuid text NOT NULL, note text,"
          + " node_id text, inserted_at timestamptz NOT NULL DEFAULT now())");
    } catch (SQLException e) {
      if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
        throw e;
      }
    }
    tableReady = true;
  }
}
