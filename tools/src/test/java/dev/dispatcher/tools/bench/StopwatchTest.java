package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StopwatchTest {

  @Test
  void percentilesUseTheNearestRankOfTheSortedSamples() {
    Stopwatch stopwatch = new Stopwatch(100);
    for (int i = 100; i >= 1; i--) {
      stopwatch.add(i * 1_000_000L); // 1..100 ms, added in reverse order
    }
    assertThat(stopwatch.percentileMillis(50)).isEqualTo(50.0);
    assertThat(stopwatch.percentileMillis(99)).isEqualTo(99.0);
    assertThat(stopwatch.percentileMillis(100)).isEqualTo(100.0);
  }

  @Test
  void aSingleSampleIsEveryPercentile() {
    Stopwatch stopwatch = new Stopwatch(1);
    stopwatch.add(250_000L);
    assertThat(stopwatch.percentileMillis(50)).isEqualTo(0.25);
    assertThat(stopwatch.percentileMillis(99)).isEqualTo(0.25);
  }
}
