package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DurableRoundTest {

  private static final long MS = 1_000_000;

  @Test
  void everySpanIsFromTheFirstPublishAndTheRateToEveryRowDone() {
    // first publish at 100 ms; published by 300, last start 900, last end 901; the poll sent at 905
    // still saw work, the one answered at 1,100 saw every row done
    DurableRound round = DurableRound.of(1_000, 100 * MS, 300 * MS, 900 * MS, 901 * MS, new CompletionPoll.Seen(1_100 * MS, 905 * MS, 3));
    assertThat(round.publishSeconds()).isCloseTo(0.2, within(1e-9));
    assertThat(round.lastStartSeconds()).isCloseTo(0.8, within(1e-9));
    assertThat(round.lastFinishSeconds()).isCloseTo(0.801, within(1e-9));
    assertThat(round.completedSeconds()).isCloseTo(1.0, within(1e-9));
    assertThat(round.pollSeconds()).isCloseTo(0.195, within(1e-9));
    assertThat(round.perSecond()).isCloseTo(1_000, within(1e-6));
  }

  @Test
  void thePrecisionNeverReachesBeforeTheRound() {
    DurableRound round = DurableRound.of(10, 100 * MS, 101 * MS, 102 * MS, 103 * MS, new CompletionPoll.Seen(110 * MS, 50 * MS, 1));
    assertThat(round.pollSeconds()).isCloseTo(0.010, within(1e-9));
  }
}
