package dev.dispatcher.service.pool;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/** Worker pools for tests of the parts that feed them, and a wait for a pool to fall quiet. */
public final class TestPools {

  /** No bound on waiting work. */
  public static final WorkerPool.Bounds UNBOUNDED = new WorkerPool.Bounds(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE,
      Long.MAX_VALUE);

  /** One timer for the delays of all these pools; its daemon thread ends with the test JVM. */
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("test-pool-timer").daemon(true).factory());

  private TestPools() {}

  /** A pool without bounds that reports nothing. */
  public static WorkerPool unbounded(int maxWorkers, Consumer<Work> runner) {
    return new WorkerPool(maxWorkers, runner, TIMER, (work, admission) -> { }, UNBOUNDED);
  }

  /** Waits (10 s at most) until nothing runs or is queued. */
  public static void awaitQuiet(WorkerPool pool) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
        .until(() -> pool.running() == 0 && pool.queued() == 0);
  }
}
