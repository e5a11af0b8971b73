package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DrainRoundTest {

  private static final long MS = 1_000_000;

  @Test
  void aDrainIsTimedFromSendingCommitAndFromItsAnswer() {
    // COMMIT sent at 100 ms, answered at 200 ms; arrivals from 201 to 500 ms
    DrainRound drain = DrainRound.of(1_000, 100 * MS, 200 * MS, new Countdown.Arrivals(201 * MS, 500 * MS));
    assertThat(drain.commitSeconds()).isCloseTo(0.1, within(1e-9));
    assertThat(drain.fromCommitSeconds()).isCloseTo(0.4, within(1e-9));
    assertThat(drain.afterCommitSeconds()).isCloseTo(0.3, within(1e-9));
    assertThat(drain.perSecond()).isCloseTo(2_500, within(1e-6));
    assertThat(drain.afterCommitPerSecond()).isCloseTo(1_000 / 0.3, within(1e-6));
  }

  @Test
  void aFirstArrivalBeforeTheCommitsAnswerStartsTheDeliverySpan() {
    // the server signals its listeners just before it answers the commit: a small backlog can be
    // under way before the answer is read
    DrainRound drain = DrainRound.of(10, 100 * MS, 250 * MS, new Countdown.Arrivals(249 * MS, 252 * MS));
    assertThat(drain.afterCommitSeconds()).isCloseTo(0.003, within(1e-9));
    assertThat(drain.fromCommitSeconds()).isCloseTo(0.152, within(1e-9));
  }
}
