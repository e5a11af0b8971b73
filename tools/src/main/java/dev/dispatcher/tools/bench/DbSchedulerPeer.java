package dev.dispatcher.tools.bench;

import com.github.kagkarlsson.scheduler.CurrentlyExecuting;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.event.AbstractSchedulerListener;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The peer: db-scheduler (the most used Postgres-backed task scheduler for the JVM) doing the same
 * durable job in the same run: N one-time no-op tasks scheduled in batches, run, done. Its table is
 * the one its documentation gives for Postgres, under a name of the bench's own ({@value #TABLE}),
 * created at start and dropped at the end.
 *
 * <p>Its settings are chosen to match the daemon's: {@code threads} as many as the daemon's workers;
 * the lock-and-fetch polling strategy (one {@code UPDATE … FOR UPDATE SKIP LOCKED … RETURNING} per
 * fetch, as the daemon's claim) fetching up to one batch per thread and again when half of them are
 * done (0.5, 1.0: its defaults for that strategy); a polling interval of {@value #POLL_MILLIS} ms
 * (its default is 10 s; the daemon is woken by a doorbell instead); immediate execution on. A
 * one-time task deletes its row when it completes (db-scheduler's default completion), so done is
 * "no row left". A fresh scheduler is started for each round (not timed) and stopped after it, so it
 * polls nothing while the other sides run.
 */
final class DbSchedulerPeer implements AutoCloseable {

  static final String TABLE = "bench_scheduled_tasks";
  static final long POLL_MILLIS = 10;
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private final HikariDataSource pool;
  private final int threads;
  private final OneTimeTask<Void> task;
  private final CompletionPoll completionPoll = new CompletionPoll();
  private final Countdown starts = new Countdown();
  private final Countdown finishes = new Countdown();
  private final AtomicInteger failures = new AtomicInteger();
  private int rounds;

  DbSchedulerPeer(DatabaseUrl url, int threads) throws SQLException {
    this.threads = threads;
    // each executing thread completes its own execution on a connection of its own, and the fetch takes one
    this.pool = ConnectionPools.create(url, "bench-db-scheduler", threads + 4);
    this.task = Tasks.oneTime("bench-noop").execute((instance, context) -> {
      // intentionally empty, as BenchTasks.noop
    });
    try (Connection connection = pool.getConnection(); Statement ddl = connection.createStatement()) {
      ddl.execute("DROP TABLE IF EXISTS " + TABLE);
      // db-scheduler's Postgres table (its docs' postgresql_tables.sql), renamed
      ddl.execute("CREATE TABLE " + TABLE + " (task_name text NOT NULL, task_instance text NOT NULL, task_data bytea,"
          + " execution_time timestamp with time zone NOT NULL, picked boolean NOT NULL, picked_by text,"
          + " last_success timestamp with time zone, last_failure timestamp with time zone, consecutive_failures int,"
          + " last_heartbeat timestamp with time zone, version bigint NOT NULL, priority smallint,"
          + " PRIMARY KEY (task_name, task_instance))");
      ddl.execute("CREATE INDEX " + TABLE + "_execution_time_idx ON " + TABLE + " (execution_time)");
      ddl.execute("CREATE INDEX " + TABLE + "_last_heartbeat_idx ON " + TABLE + " (last_heartbeat)");
      ddl.execute("CREATE INDEX " + TABLE + "_priority_execution_time_idx ON " + TABLE + " (priority DESC, execution_time ASC)");
    }
  }

  /**
   * One round: the table emptied, a scheduler started (neither timed), then the instances scheduled
   * with {@code scheduleBatch}, one call per batch, timed from the first call until the table is
   * empty (after the last execution's end, polled as for the dispatcher).
   */
  DurableRound round(int count, int batchSize) throws Exception {
    rounds++;
    List<List<TaskInstance<?>>> batches = new ArrayList<>();
    for (int from = 0; from < count; from += batchSize) {
      List<TaskInstance<?>> batch = new ArrayList<>(batchSize);
      for (int i = from; i < Math.min(count, from + batchSize); i++) {
        batch.add(task.instance("r" + rounds + "-" + i));
      }
      batches.add(batch);
    }
    try (Connection connection = pool.getConnection(); Statement truncate = connection.createStatement()) {
      truncate.execute("TRUNCATE " + TABLE);
    }
    Scheduler scheduler = Scheduler.create(pool, task)
        .tableName(TABLE)
        .threads(threads)
        .pollUsingLockAndFetch(0.5, 1.0)
        .pollingInterval(Duration.ofMillis(POLL_MILLIS))
        .enableImmediateExecution()
        .addSchedulerListener(new AbstractSchedulerListener() {
          @Override
          public void onExecutionStart(CurrentlyExecuting execution) {
            starts.mark();
          }

          @Override
          public void onExecutionComplete(ExecutionComplete complete) {
            if (complete.getResult() != ExecutionComplete.Result.OK) {
              failures.incrementAndGet();
            }
            finishes.mark();
          }
        })
        .build();
    failures.set(0);
    starts.arm(count);
    finishes.arm(count);
    scheduler.start();
    try {
      long start = System.nanoTime();
      for (List<TaskInstance<?>> batch : batches) {
        scheduler.scheduleBatch(batch, Instant.now());
      }
      long scheduled = System.nanoTime();
      Countdown.Arrivals started = starts.awaitLast(TIMEOUT);
      Countdown.Arrivals finished = finishes.awaitLast(TIMEOUT);
      CompletionPoll.Seen completed = completionPoll.until(this::empty, DispatcherBench.COMPLETION_POLL_INTERVAL, Duration.ofSeconds(60));
      if (failures.get() > 0) {
        throw new IllegalStateException(failures.get() + " of " + count + " db-scheduler executions did not succeed");
      }
      return DurableRound.of(count, start, scheduled, started.lastNanos(), finished.lastNanos(), completed);
    } catch (TimeoutException e) {
      throw new TimeoutException("db-scheduler, " + count + " tasks: " + e.getMessage());
    } finally {
      scheduler.stop();
    }
  }

  private boolean empty() throws SQLException {
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + TABLE + ")")) {
      result.next();
      return result.getBoolean(1);
    }
  }

  @Override
  public void close() throws SQLException {
    try (Connection connection = pool.getConnection(); Statement drop = connection.createStatement()) {
      drop.execute("DROP TABLE IF EXISTS " + TABLE);
    } finally {
      pool.close();
    }
  }
}
