package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class CountdownTest {

  @Test
  void theFirstAndTheLastExpectedMarkSetTheTimes() throws Exception {
    Countdown countdown = new Countdown();
    countdown.arm(3);
    long before = System.nanoTime();
    countdown.mark();
    long afterFirst = System.nanoTime();
    countdown.mark();
    long beforeLast = System.nanoTime();
    countdown.mark();
    long after = System.nanoTime();
    Countdown.Arrivals arrivals = countdown.awaitLast(Duration.ofSeconds(1));
    assertThat(arrivals.firstNanos()).isBetween(before, afterFirst);
    assertThat(arrivals.lastNanos()).isBetween(beforeLast, after);
  }

  @Test
  void missingMarksAreNamedWhenTheWaitTimesOut() {
    Countdown countdown = new Countdown();
    countdown.arm(5);
    countdown.mark();
    assertThatThrownBy(() -> countdown.awaitLast(Duration.ofMillis(10)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageStartingWith("4 of the expected arrivals missing");
  }

  @Test
  void marksBeyondTheExpectedNumberDoNotMoveTheTime() throws Exception {
    Countdown countdown = new Countdown();
    countdown.arm(1);
    countdown.mark();
    Countdown.Arrivals arrivals = countdown.awaitLast(Duration.ofSeconds(1));
    countdown.mark(); // a late arrival, e.g. a task started after the round ended
    assertThat(countdown.awaitLast(Duration.ofSeconds(1))).isEqualTo(arrivals);
  }

  @Test
  void rearmingForgetsTheEarlierRound() {
    Countdown countdown = new Countdown();
    countdown.arm(1);
    countdown.mark();
    countdown.arm(2);
    countdown.mark();
    assertThatThrownBy(() -> countdown.awaitLast(Duration.ofMillis(10)))
        .hasMessageStartingWith("1 of the expected arrivals missing");
  }

  @Test
  void marksFromManyThreadsAreAllCounted() throws Exception {
    Countdown countdown = new Countdown();
    int threads = 8;
    int perThread = 10_000;
    countdown.arm(threads * perThread);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      started.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < perThread; i++) {
          countdown.mark();
        }
      }));
    }
    for (Thread thread : started) {
      thread.join();
    }
    long after = System.nanoTime();
    Countdown.Arrivals arrivals = countdown.awaitLast(Duration.ofSeconds(5));
    assertThat(arrivals.firstNanos()).isLessThanOrEqualTo(arrivals.lastNanos());
    assertThat(arrivals.lastNanos()).isLessThanOrEqualTo(after);
  }

  @Test
  void armingForNothingIsRefused() {
    assertThatThrownBy(() -> new Countdown().arm(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
