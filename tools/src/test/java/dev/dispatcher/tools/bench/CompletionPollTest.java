package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** On a fake clock: each query takes 1 unit, each sleep the interval. */
class CompletionPollTest {

  private long now;
  private final List<Duration> sleeps = new ArrayList<>();
  private final CompletionPoll poll = new CompletionPoll(() -> now, duration -> {
    sleeps.add(duration);
    now += duration.toNanos();
  });

  private CompletionPoll.Check trueFromPoll(int which) {
    int[] polls = {0};
    return () -> {
      now += 1;
      return ++polls[0] >= which;
    };
  }

  @Test
  void theDoneMomentLiesBetweenThePreviousQuerysSendingAndTheAnswerThatSawIt() throws Exception {
    now = 1_000;
    CompletionPoll.Seen seen = poll.until(trueFromPoll(3), Duration.ofNanos(10), Duration.ofSeconds(1));
    // queries sent at 1000, 1011, 1022; answered at 1001, 1012, 1023
    assertThat(seen.polls()).isEqualTo(3);
    assertThat(seen.answeredNanos()).isEqualTo(1_023);
    assertThat(seen.previousSentNanos()).isEqualTo(1_011);
    assertThat(sleeps).containsExactly(Duration.ofNanos(10), Duration.ofNanos(10));
  }

  @Test
  void doneAtTheFirstQueryIsBoundedByThatQueryAlone() throws Exception {
    now = 500;
    CompletionPoll.Seen seen = poll.until(trueFromPoll(1), Duration.ofMillis(2), Duration.ofSeconds(1));
    assertThat(seen.polls()).isEqualTo(1);
    assertThat(seen.previousSentNanos()).isEqualTo(500);
    assertThat(seen.answeredNanos()).isEqualTo(501);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void itGivesUpAfterTheTimeoutSayingHowOftenItAsked() {
    assertThatThrownBy(() -> poll.until(() -> false, Duration.ofMillis(10), Duration.ofMillis(35)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("5 polls");
  }
}
