package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RoundTest {

  private static final long MS = 1_000_000;

  @Test
  void aRoundIsTimedFromTheFirstSendToTheLastArrival() {
    Round round = Round.of(1_000, 100 * MS, 300 * MS, new Countdown.Arrivals(110 * MS, 600 * MS));
    assertThat(round.sendingSeconds()).isCloseTo(0.2, within(1e-9));
    assertThat(round.seconds()).isCloseTo(0.5, within(1e-9));
    assertThat(round.perSecond()).isCloseTo(2_000, within(1e-6));
  }
}
