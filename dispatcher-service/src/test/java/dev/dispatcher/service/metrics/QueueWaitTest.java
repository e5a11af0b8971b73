package dev.dispatcher.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class QueueWaitTest {

  private static final Instant START = Instant.ofEpochSecond(1_800_000_000L, 250_000_000);
  private static final double START_SECONDS = 1_800_000_000.25;

  @Test
  void aPlausiblePublishTimeGivesTheWaitInSeconds() {
    assertThat(QueueWait.seconds(START_SECONDS - 1.5, START)).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(QueueWait.seconds(START_SECONDS, START)).isZero();
    double longest = QueueWait.MAX_WAIT.toSeconds();
    assertThat(QueueWait.seconds(START_SECONDS - longest, START)).isCloseTo(longest, org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void aPublisherClockAheadByLessThanTheSkewCountsAsNoWait() {
    assertThat(QueueWait.seconds(START_SECONDS + 0.001, START)).isZero();
    assertThat(QueueWait.seconds(START_SECONDS + QueueWait.MAX_CLOCK_SKEW.toSeconds(), START)).isZero();
  }

  @Test
  void implausibleOrMissingPublishTimesAreNoWait() {
    for (double timePub : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1e308, 1e308, -1, 0,
        START_SECONDS + QueueWait.MAX_CLOCK_SKEW.toSeconds() + 1, START_SECONDS - QueueWait.MAX_WAIT.toSeconds() - 1}) {
      assertThat(QueueWait.seconds(timePub, START)).as("time_pub %s", timePub).isNaN();
    }
  }
}
