package dev.dispatcher.service.completion;

import dev.dispatcher.DoNotRetry;
import dev.dispatcher.RetryAfter;
import dev.dispatcher.service.pool.DurableClaim;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When a failed durable attempt runs again: never after {@link DoNotRetry} or the row's last
 * attempt; after {@link RetryAfter#delay()} when the task asked; else after the row's backoff,
 * doubled per attempt ({@code backoff * 2^(attempt-1)}, so 2, 4, 8, 16 s … by default), capped at its
 * maximum, with up to 10% of jitter either way so that tasks failing together do not return
 * together.
 */
final class RetryPolicy {

  static final double JITTER = 0.1;

  private final DoubleSupplier random;

  /** @param random uniform in [0, 1) */
  RetryPolicy(DoubleSupplier random) {
    this.random = random;
  }

  /** The wait before the next attempt, or null when there is none. */
  Duration nextDelay(DurableClaim claim, Throwable error) {
    if (error instanceof DoNotRetry || claim.lastAttempt()) {
      return null;
    }
    if (error instanceof RetryAfter retryAfter) {
      return retryAfter.delay();
    }
    return backoff(claim);
  }

  /** The backoff of the claim's attempt, jittered. */
  Duration backoff(DurableClaim claim) {
    double exponent = Math.min(Math.max(claim.attempt() - 1, 0), 60);
    double seconds = Math.min(claim.backoffSeconds() * Math.pow(2, exponent), claim.maxBackoffSeconds());
    double jittered = seconds * (1 + JITTER * (2 * random.getAsDouble() - 1));
    return Duration.ofNanos((long) (Math.min(jittered, claim.maxBackoffSeconds()) * 1e9));
  }
}
