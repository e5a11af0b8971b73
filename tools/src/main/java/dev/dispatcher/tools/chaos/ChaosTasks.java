package dev.dispatcher.tools.chaos;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The chaos run's task, run by the daemons it starts ({@code tasks.classes}): records the run — its
 * uuid, the node, the attempt the row is at — in the journal table, with plain JDBC on a pool of its
 * own and autocommit, outside the run's transaction. So the journal counts executions, as an
 * external side effect would see them: a run whose outcome never reaches the task table (the node
 * was killed, the lease was lost) still shows, and a second run shows as a second row. If the
 * insert fails the task fails, and the row is retried like any failed attempt. Then it works for
 * {@code workMillis} (a sleep): a daemon killed meanwhile holds rows whose run is journaled but whose
 * outcome is not written, the case durable delivery exists for.
 */
public final class ChaosTasks {

  /** The registered name, as the publisher writes it into rows. */
  public static final String NAME = "dev.dispatcher.tools.chaos.ChaosTasks.record";

  private static final String INSERT = "INSERT INTO " + ChaosSchema.JOURNAL + " (uuid, node_id, attempt) VALUES (?::uuid, ?,"
      + " (SELECT attempt FROM " + ChaosSchema.TASKS + " WHERE uuid = ?::uuid))";

  private static HikariDataSource pool; // guarded by ChaosTasks.class

  private ChaosTasks() {}

  @Task(name = NAME, bind = true, durable = true)
  public static void record(TaskContext context, long workMillis) throws SQLException, InterruptedException {
    try (Connection connection = pool().getConnection(); PreparedStatement insert = connection.prepareStatement(INSERT)) {
      insert.setString(1, context.uuid());
      insert.setString(2, context.nodeId());
      insert.setString(3, context.uuid());
      insert.executeUpdate();
    }
    if (workMillis > 0) {
      Thread.sleep(workMillis);
    }
  }

  /**
   * The daemon's database ({@code DISPATCHER_DATABASE_URL}, which the chaos command sets), 8
   * connections named {@value ChaosSchema#JOURNAL_APPLICATION}; the journal's commits do not wait
   * for the WAL flush (they are the measurement, not the work under test; the tool never crashes
   * Postgres, it stops it cleanly).
   */
  private static synchronized HikariDataSource pool() {
    if (pool == null) {
      String url = System.getenv("DISPATCHER_DATABASE_URL");
      if (url == null || url.isBlank()) {
        throw new IllegalStateException("DISPATCHER_DATABASE_URL is not set: the chaos task journals into the daemon's database");
      }
      DatabaseUrl address = DatabaseUrl.parse(url).withDefaultOption("options", "-c synchronous_commit=off");
      pool = ConnectionPools.create(address, ChaosSchema.JOURNAL_APPLICATION, 8, Duration.ofSeconds(5), Duration.ofSeconds(15));
    }
    return pool;
  }
}
