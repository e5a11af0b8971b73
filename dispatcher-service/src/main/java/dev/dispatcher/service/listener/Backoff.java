package dev.dispatcher.service.listener;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Capped exponential backoff with full jitter, so many daemons do not reconnect in lockstep. */
final class Backoff {

  private final long initialNanos;
  private final long maxNanos;
  private int attempt;

  Backoff(Duration initial, Duration max) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
  }

  /** The wait before the next attempt: random in [cap/2, cap], cap doubling up to the maximum. */
  long nextDelayNanos() {
    long cap = Math.min(maxNanos, initialNanos << Math.min(attempt, 20));
    attempt++;
    return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
  }

  void reset() {
    attempt = 0;
  }
}
