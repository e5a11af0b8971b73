package dev.dispatcher.e2e.tasks;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.DoNotRetry;
import dev.dispatcher.RetryAfter;
import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Tasks for the durable tests. Each records its run, as it starts, in {@value #TABLE}: uuid,
 * channel, node, the attempt (read from the durable row, which is running under this attempt) and
 * when it started; then does what its name says. A run is recorded in its own transaction before
 * the task returns, so a daemon killed afterwards cannot take the record with it: a task that ran
 * twice has two rows. Runs in the daemon, which loads it from this module's test classes; it
 * connects to {@code DISPATCHER_DATABASE_URL}. The test creates the table with {@link #DDL} before
 * any daemon starts (daemons creating it at once could collide in the catalog).
 */
public final class DurableTestTasks {

  public static final String NOOP = "e2e.durable.noop";
  public static final String RECORD = "e2e.durable.record";
  public static final String FAIL_TIMES = "e2e.durable.fail_times";
  public static final String ALWAYS_FAIL = "e2e.durable.always_fail";
  public static final String DO_NOT_RETRY = "e2e.durable.do_not_retry";
  public static final String RETRY_AFTER = "e2e.durable.retry_after";
  public static final String SLOW = "e2e.durable.slow";
  public static final String SLEEP_UNTIL = "e2e.durable.sleep_until";
  public static final String SLOW_FIRST = "e2e.durable.slow_first";
  public static final String PROGRESS = "e2e.durable.progress";
  public static final String LIMITED = "e2e.durable.limited";

  public static final String TABLE = "e2e_durable_runs";
  /** Unlogged: the records need no WAL flush per commit (tens of thousands of them), and no server crash happens in these tests. */
  public static final String DDL = "CREATE UNLOGGED TABLE IF NOT EXISTS " + TABLE + " (uuid text NOT NULL, channel text, node_id text NOT NULL,"
      + " attempt integer, started_at timestamptz NOT NULL); CREATE INDEX IF NOT EXISTS " + TABLE + "_channel ON " + TABLE + " (channel)";

  private static HikariDataSource pool;

  private DurableTestTasks() {}

  private static synchronized HikariDataSource pool() throws SQLException {
    if (pool == null) {
      pool = ConnectionPools.create(DatabaseUrl.parse(System.getenv("DISPATCHER_DATABASE_URL")), "e2e-durable-tasks", 8);
      try (Connection connection = pool.getConnection(); Statement ddl = connection.createStatement()) {
        ddl.execute(DDL);
      }
    }
    return pool;
  }

  /**
   * Records this run; returns its attempt (0 when the task is not durable). Other task classes of
   * this package record their runs here too.
   */
  static int recordRun(TaskContext context) throws SQLException {
    try (Connection connection = pool().getConnection();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE + " (uuid, channel, node_id, attempt, started_at)"
            + " VALUES (?, ?, ?, (SELECT attempt FROM dispatcher.tasks WHERE uuid = ?::uuid), clock_timestamp()) RETURNING attempt")) {
      insert.setString(1, context.uuid());
      insert.setString(2, context.channel());
      insert.setString(3, context.nodeId());
      insert.setString(4, context.uuid());
      try (ResultSet row = insert.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  /** Does nothing at all (the daemon's run journal still records it, in batches). */
  @Task(name = NOOP)
  public static void noop() {}

  /** Does nothing but record its run. */
  @Task(name = RECORD, bind = true)
  public static void record(TaskContext context) throws SQLException {
    recordRun(context);
  }

  /** Fails its first {@code failures} attempts, then succeeds. */
  @Task(name = FAIL_TIMES, bind = true)
  public static String failTimes(TaskContext context, long failures) throws SQLException {
    int attempt = recordRun(context);
    if (attempt <= failures) {
      throw new IllegalStateException("attempt " + attempt + " fails on purpose");
    }
    return "succeeded at attempt " + attempt;
  }

  @Task(name = ALWAYS_FAIL, bind = true)
  public static void alwaysFail(TaskContext context) throws SQLException {
    throw new IllegalStateException("attempt " + recordRun(context) + " fails on purpose, as every attempt");
  }

  @Task(name = DO_NOT_RETRY, bind = true)
  public static void doNotRetry(TaskContext context) throws SQLException {
    recordRun(context);
    throw new DoNotRetry("this task says not to retry", null);
  }

  /** Its first attempt asks for the next one after {@code seconds}; the next succeeds. */
  @Task(name = RETRY_AFTER, bind = true)
  public static void retryAfter(TaskContext context, double seconds) throws SQLException {
    if (recordRun(context) == 1) {
      throw new RetryAfter(Duration.ofNanos((long) (seconds * 1e9)), "come back in " + seconds + " s");
    }
  }

  /** Records its run, then sleeps (interruptibly: a cancel or a shutdown cuts it short). */
  @Task(name = SLOW, bind = true)
  public static void slow(TaskContext context, double seconds) throws SQLException, InterruptedException {
    recordRun(context);
    Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
  }

  /** Its first attempt records its run and sleeps (interruptibly); a later attempt records its run and returns. */
  @Task(name = SLOW_FIRST, bind = true)
  public static void slowFirst(TaskContext context, double seconds) throws SQLException, InterruptedException {
    if (recordRun(context) == 1) {
      Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
    }
  }

  /**
   * Records its run, then sleeps until {@code untilEpochMillis} (interruptibly), so the runs that
   * start after that time return at once.
   */
  @Task(name = SLEEP_UNTIL, bind = true)
  public static void sleepUntil(TaskContext context, long untilEpochMillis) throws SQLException, InterruptedException {
    recordRun(context);
    long left = untilEpochMillis - System.currentTimeMillis();
    if (left > 0) {
      Thread.sleep(left);
    }
  }

  /** At most two runs at once on all the daemons together: records its run, then sleeps (interruptibly). */
  @Task(name = LIMITED, bind = true, maxConcurrency = 2)
  public static void limited(TaskContext context, double seconds) throws SQLException, InterruptedException {
    recordRun(context);
    Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
  }

  /**
   * Records its run, reports progress a thousand times (the last: 0.5, "half way"), then waits (at
   * most a minute) until the file {@code gate} exists.
   */
  @Task(name = PROGRESS, bind = true)
  public static void progress(TaskContext context, String gate) throws SQLException, InterruptedException {
    recordRun(context);
    for (int i = 0; i <= 1000; i++) {
      context.progress(i / 2000.0, i == 1000 ? "half way" : "step " + i);
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!java.nio.file.Files.exists(java.nio.file.Path.of(gate)) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
