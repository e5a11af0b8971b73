package dev.dispatcher.e2e.tasks;

import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import java.sql.SQLException;
import java.util.Map;

/**
 * Tasks for the result cache tests: each records its run in {@link DurableTestTasks#TABLE} (so a
 * test counts the runs a cache hit saved) and returns something that names the run. Runs in the daemon.
 */
public final class CacheTasks {

  public static final String SQUARE = "e2e.cache.square";
  public static final String SHORT = "e2e.cache.short";
  public static final String FAIL = "e2e.cache.fail";
  public static final String PLAIN = "e2e.cache.plain";

  private CacheTasks() {}

  /** Cached for 10 minutes: its square, and the run that computed it. */
  @Task(name = SQUARE, durable = true, cacheFor = "10m", bind = true)
  public static Map<String, Object> square(TaskContext context, long n) throws SQLException {
    DurableTestTasks.recordRun(context);
    return Map.of("square", n * n, "run", context.uuid());
  }

  /** Cached for one second only. */
  @Task(name = SHORT, durable = true, cacheFor = "1s", bind = true)
  public static Map<String, Object> shortLived(TaskContext context, long n) throws SQLException {
    DurableTestTasks.recordRun(context);
    return Map.of("square", n * n, "run", context.uuid());
  }

  /** Cached for 10 minutes, but fails its only attempt: a failure is not a result to keep. */
  @Task(name = FAIL, durable = true, cacheFor = "10m", maxAttempts = 1, bind = true)
  public static long fail(TaskContext context, long n) throws SQLException {
    DurableTestTasks.recordRun(context);
    throw new IllegalStateException("fails on purpose for " + n);
  }

  /** No cache of its own: SQL callers ask for one with cache_for. */
  @Task(name = PLAIN, durable = true, bind = true)
  public static String plain(TaskContext context, String text) throws SQLException {
    DurableTestTasks.recordRun(context);
    return text + " by " + context.uuid();
  }
}
