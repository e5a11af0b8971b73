package dev.dispatcher.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The report a second signal runs before it halts: it runs, and a report that hangs does not hold the halt. */
class ShutdownSignalsTest {

  @Test
  void aReportThatFinishesInTimeHasRun() {
    AtomicBoolean ran = new AtomicBoolean();

    assertThat(ShutdownSignals.runBounded(() -> ran.set(true), Duration.ofSeconds(10))).isTrue();
    assertThat(ran).isTrue();
  }

  @Test
  void aReportStuckOnALockIsLeftBehindWithinTheBound() {
    CountDownLatch never = new CountDownLatch(1);
    long started = System.nanoTime();

    boolean finished = ShutdownSignals.runBounded(() -> {
      try {
        never.await(); // as a snapshot waiting for the pool's lock that a stuck thread holds
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, Duration.ofMillis(200));

    assertThat(finished).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    never.countDown();
  }

  @Test
  void aReportThatThrowsDoesNotStopTheHalt() {
    assertThat(ShutdownSignals.runBounded(() -> {
      throw new IllegalStateException("the pool is gone");
    }, Duration.ofSeconds(10))).isTrue();
  }
}
