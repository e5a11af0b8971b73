package dev.dispatcher;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a durable task to fail this attempt and ask for the next one after {@code delay}
 * instead of the task's backoff (attempts still count: after the last one the task fails for good).
 * In a fire-and-forget task it is an ordinary failure.
 *
 * <pre>{@code
 * if (response.status() == 429) {
 *   throw new RetryAfter(Duration.ofSeconds(response.retryAfterSeconds()), "rate limited");
 * }
 * }</pre>
 */
public final class RetryAfter extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Duration delay;

  public RetryAfter(Duration delay, String message) {
    super(message);
    if (Objects.requireNonNull(delay, "delay").isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    this.delay = delay;
  }

  /** How long to wait before the next attempt. */
  public Duration delay() {
    return delay;
  }
}
