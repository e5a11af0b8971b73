package dev.dispatcher.service.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void delaysDoubleWithinHalfCapToCapThenStayAtTheMaximum() {
    long[] caps = {1, 2, 4, 8, 16, 16, 16, 16, 16, 16};
    for (int round = 0; round < 200; round++) {
      Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(16));
      long previous = 0;
      for (int attempt = 0; attempt < caps.length; attempt++) {
        long cap = caps[attempt] * SECOND;
        long delay = backoff.nextDelayNanos();
        assertThat(delay).as("attempt %d", attempt).isBetween(cap / 2, cap);
        if (attempt < 5) {
          assertThat(delay).as("attempt %d grows", attempt).isGreaterThanOrEqualTo(previous);
        }
        previous = delay;
      }
    }
  }

  @Test
  void capIsTheMaximumEvenWhenItIsNotAPowerOfTwoOfTheInitialDelay() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    long[] capsMillis = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
    for (long capMillis : capsMillis) {
      long cap = capMillis * 1_000_000L;
      assertThat(backoff.nextDelayNanos()).isBetween(cap / 2, cap);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(backoff.nextDelayNanos()).as("attempt %d", i + 8).isBetween(2_500_000_000L, 5_000_000_000L);
    }
  }

  @Test
  void resetStartsOverFromTheInitialDelay() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    for (int i = 0; i < 10; i++) {
      backoff.nextDelayNanos();
    }
    assertThat(backoff.nextDelayNanos()).isGreaterThanOrEqualTo(2_500_000_000L);

    backoff.reset();

    assertThat(backoff.nextDelayNanos()).isBetween(50_000_000L, 100_000_000L);
    assertThat(backoff.nextDelayNanos()).isBetween(100_000_000L, 200_000_000L);
  }

  @Test
  void delaysAreJittered() {
    Set<Long> firstDelays = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      firstDelays.add(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)).nextDelayNanos());
    }
    assertThat(firstDelays.size()).as("distinct first delays of 50 fresh backoffs").isGreaterThan(40);
  }

  @Test
  void maximumBelowTheInitialDelayWins() {
    Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(2));
    for (int i = 0; i < 5; i++) {
      assertThat(backoff.nextDelayNanos()).isBetween(SECOND, 2 * SECOND);
    }
  }
}
