package dev.dispatcher.service.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.service.durable.EmptyClaimPause.Change;
import org.junit.jupiter.api.Test;

class EmptyClaimPauseTest {

  private static final long MS = 1_000_000;

  @Test
  void oneEmptyClaimDoesNotPauseTheNext() {
    EmptyClaimPause pause = new EmptyClaimPause();
    assertThat(pause.remainingNanos(0)).isZero();
    pause.claimed(0, 100 * MS);
    assertThat(pause.remainingNanos(100 * MS)).isZero();
  }

  @Test
  void emptyClaimsInARowDoubleThePauseUpToItsBoundAndSayItOnce() {
    EmptyClaimPause pause = new EmptyClaimPause();
    long now = 0;
    pause.claimed(0, now);
    long[] expected = {1, 2, 4, 8, 16, 32};
    for (long ms : expected) {
      assertThat(pause.claimed(0, now)).isEqualTo(Change.UNCHANGED);
      assertThat(pause.remainingNanos(now)).isEqualTo(ms * MS);
      now += ms * MS;
    }
    assertThat(pause.claimed(0, now)).isEqualTo(Change.STARTED_PAUSING);
    assertThat(pause.remainingNanos(now)).isEqualTo(EmptyClaimPause.MAX_PAUSE_NANOS);
    for (int i = 0; i < 100; i++) {
      now += EmptyClaimPause.MAX_PAUSE_NANOS;
      assertThat(pause.claimed(0, now)).isEqualTo(Change.UNCHANGED);
      assertThat(pause.remainingNanos(now)).isEqualTo(EmptyClaimPause.MAX_PAUSE_NANOS);
    }
    assertThat(pause.remainingNanos(now + 10 * MS)).isEqualTo(EmptyClaimPause.MAX_PAUSE_NANOS - 10 * MS);
  }

  @Test
  void theFirstClaimThatTakesRowsEndsThePause() {
    EmptyClaimPause pause = new EmptyClaimPause();
    long now = 0;
    for (int i = 0; i < 20; i++) {
      pause.claimed(0, now);
    }
    assertThat(pause.claimed(3, now)).isEqualTo(Change.STOPPED_PAUSING);
    assertThat(pause.remainingNanos(now)).isZero();
    pause.claimed(0, now);
    assertThat(pause.remainingNanos(now)).as("one empty claim after rows: no pause again").isZero();
    assertThat(pause.claimed(1, now)).as("no pause was logged: nothing to say").isEqualTo(Change.UNCHANGED);
  }

  @Test
  void aPauseRunsFromTheLastClaimSoAnIdleClaimerAnswersAtOnce() {
    EmptyClaimPause pause = new EmptyClaimPause();
    for (int i = 0; i < 20; i++) {
      pause.claimed(0, 0);
    }
    assertThat(pause.remainingNanos(EmptyClaimPause.MAX_PAUSE_NANOS)).isZero();
    assertThat(pause.remainingNanos(1_000 * MS)).isZero();
  }
}
