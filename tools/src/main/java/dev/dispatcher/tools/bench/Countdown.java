package dev.dispatcher.tools.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counts arrivals (notifications, task starts) down from an expected number and remembers when
 * the first and the last one came. Thread-safe: marks come from the driver's I/O thread or from
 * many task threads at once. Marks while nothing is expected, or beyond the expected number, are
 * ignored.
 */
final class Countdown {

  /** When the first and the last expected arrival came, in {@link System#nanoTime()}. */
  record Arrivals(long firstNanos, long lastNanos) {}

  /** One armed count. */
  private static final class Run {
    final AtomicInteger remaining;
    final CountDownLatch done = new CountDownLatch(1);
    volatile long firstNanos;
    volatile long lastNanos;

    Run(int expected) {
      remaining = new AtomicInteger(expected);
    }
  }

  private final AtomicReference<Run> current = new AtomicReference<>(new Run(0));

  /** Expects {@code count} marks from now on; call before whatever causes them. */
  void arm(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1: " + count);
    }
    current.set(new Run(count));
  }

  /** One arrival. The clock is read only by the first and the last, so marking costs about one atomic decrement. */
  void mark() {
    Run run = current.get();
    if (run.firstNanos == 0) {
      run.firstNanos = System.nanoTime(); // racing first marks may overwrite each other: any of them is "first"
    }
    if (run.remaining.decrementAndGet() == 0) {
      run.lastNanos = System.nanoTime();
      run.done.countDown();
    }
  }

  /**
   * Waits for the last expected mark.
   *
   * @throws TimeoutException naming how many marks are still missing
   */
  Arrivals awaitLast(Duration timeout) throws InterruptedException, TimeoutException {
    Run run = current.get();
    if (!run.done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new TimeoutException(Math.max(0, run.remaining.get()) + " of the expected arrivals missing after " + timeout.toSeconds() + " s");
    }
    return new Arrivals(Math.min(run.firstNanos, run.lastNanos), run.lastNanos);
  }
}
