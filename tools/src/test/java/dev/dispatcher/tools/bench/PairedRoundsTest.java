package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PairedRoundsTest {

  @Test
  void mediansOfAnOddNumberOfRoundsAreTheMiddleValues() {
    PairedRounds rounds = new PairedRounds();
    rounds.add(500, 250); // 50%
    rounds.add(400, 300); // 75%
    rounds.add(300, 180); // 60%
    assertThat(rounds.ceilingMedian()).isEqualTo(400);
    assertThat(rounds.dispatcherMedian()).isEqualTo(250);
    assertThat(rounds.medianRatio()).isCloseTo(0.60, within(1e-9));
  }

  @Test
  void theMedianOfAnEvenNumberIsTheMeanOfTheMiddleTwo() {
    assertThat(PairedRounds.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void theRatioPairsEachRoundWithItsOwnCeiling() {
    PairedRounds rounds = new PairedRounds();
    rounds.add(100, 90); // a slow moment of the machine: both slow, ratio 90%
    rounds.add(1000, 800); // 80%
    rounds.add(1000, 850); // 85%
    // the median of the per-round ratios differs from the ratio of the medians (800 / 1000)
    assertThat(rounds.medianRatio()).isCloseTo(0.85, within(1e-9));
    assertThat(rounds.dispatcherMedian() / rounds.ceilingMedian()).isCloseTo(0.80, within(1e-9));
    assertThat(rounds.size()).isEqualTo(3);
  }
}
