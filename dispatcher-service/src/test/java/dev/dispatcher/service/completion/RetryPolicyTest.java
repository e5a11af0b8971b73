package dev.dispatcher.service.completion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.DoNotRetry;
import dev.dispatcher.RetryAfter;
import dev.dispatcher.service.pool.DurableClaim;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static DurableClaim attempt(int attempt) {
    return new DurableClaim(1, attempt, 10, 2, 3600);
  }

  @Test
  void theBackoffDoublesPerAttemptFromItsBaseUpToItsCap() {
    RetryPolicy middle = new RetryPolicy(() -> 0.5); // no jitter
    assertThat(middle.nextDelay(attempt(1), new IllegalStateException())).isEqualTo(Duration.ofSeconds(2));
    assertThat(middle.nextDelay(attempt(2), null)).isEqualTo(Duration.ofSeconds(4));
    assertThat(middle.nextDelay(attempt(4), null)).isEqualTo(Duration.ofSeconds(16));
    assertThat(middle.nextDelay(new DurableClaim(1, 9, 1000, 2, 3600), null)).isEqualTo(Duration.ofSeconds(512));
    assertThat(middle.nextDelay(new DurableClaim(1, 500, 1000, 2, 3600), null)).as("capped").isEqualTo(Duration.ofHours(1));
  }

  @Test
  void theJitterIsTenPercentEitherWayButNeverPastTheCap() {
    assertThat(new RetryPolicy(() -> 0.0).nextDelay(attempt(2), null)).isEqualTo(Duration.ofMillis(3600));
    assertThat(new RetryPolicy(() -> 0.999999999).nextDelay(attempt(2), null).toMillis()).isEqualTo(4399);
    assertThat(new RetryPolicy(() -> 0.999999999).nextDelay(new DurableClaim(1, 40, 1000, 2, 3600), null)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void noRetryAfterTheLastAttemptOrWhenTheTaskSaysSoAndTheTasksOwnWaitWhenItAsks() {
    RetryPolicy policy = new RetryPolicy(() -> 0.5);
    assertThat(policy.nextDelay(new DurableClaim(1, 10, 10, 2, 3600), null)).isNull();
    assertThat(policy.nextDelay(attempt(1), new DoNotRetry("no such order", null))).isNull();
    assertThat(policy.nextDelay(attempt(1), new RetryAfter(Duration.ofSeconds(90), "rate limited"))).isEqualTo(Duration.ofSeconds(90));
    assertThat(policy.nextDelay(new DurableClaim(1, 10, 10, 2, 3600), new RetryAfter(Duration.ofSeconds(90), "x"))).isNull();
  }
}
