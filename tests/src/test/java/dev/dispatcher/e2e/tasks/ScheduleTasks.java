package dev.dispatcher.e2e.tasks;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A task for schedules: records each run (label, uuid, node, origin, the schedule's tick and when
 * it started) in {@value #TABLE}, so a test can match runs to ticks. Runs in the daemon, which
 * loads it from this module's test classes; it connects to {@code DISPATCHER_DATABASE_URL}.
 */
public final class ScheduleTasks {

  public static final String NAME = "e2e.schedule.record";
  public static final String TABLE = "e2e_schedule_runs";
  public static final String DDL = "CREATE TABLE IF NOT EXISTS " + TABLE + " (label text NOT NULL, uuid text NOT NULL,"
      + " node_id text, origin text, tick timestamptz, started_at timestamptz NOT NULL)";

  private static HikariDataSource pool;

  private ScheduleTasks() {}

  private static synchronized HikariDataSource pool() throws SQLException {
    if (pool == null) {
      pool = ConnectionPools.create(DatabaseUrl.parse(System.getenv("DISPATCHER_DATABASE_URL")), "e2e-schedule-tasks", 2);
      try (Connection connection = pool.getConnection(); Statement ddl = connection.createStatement()) {
        ddl.execute(DDL);
      }
    }
    return pool;
  }

  @Task(name = NAME, bind = true)
  public static void record(TaskContext context, String label) throws SQLException {
    Instant started = Instant.now();
    Object tick = context.message().get("schedule_tick");
    try (Connection connection = pool().getConnection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + TABLE + " (label, uuid, node_id, origin, tick, started_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, label);
      insert.setString(2, context.uuid());
      insert.setString(3, context.nodeId());
      insert.setString(4, String.valueOf(context.message().get("origin")));
      insert.setObject(5, tick == null ? null : OffsetDateTime.ofInstant(Instant.parse(tick.toString()), ZoneOffset.UTC));
      insert.setTimestamp(6, Timestamp.from(started));
      insert.executeUpdate();
    }
  }
}
