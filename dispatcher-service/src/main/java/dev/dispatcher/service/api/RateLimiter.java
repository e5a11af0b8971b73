package dev.dispatcher.service.api;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller: {@code burst} requests at once, refilled at {@code perSecond}. The
 * callers are the configured tokens, so the map is bounded by the config. Thread-safe.
 */
final class RateLimiter {

  private static final class Bucket {
    double tokens;
    long lastNanos;
  }

  private final double perSecond;
  private final int burst;
  private final LongSupplier clock;
  private final Map<String, Bucket> buckets = new HashMap<>(); // guarded by this

  RateLimiter(double perSecond, int burst, LongSupplier clock) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.clock = clock;
  }

  /** 0 when the caller may go on (one token taken), else the nanoseconds until it may. */
  synchronized long acquire(String caller) {
    long now = clock.getAsLong();
    Bucket bucket = buckets.computeIfAbsent(caller, name -> {
      Bucket fresh = new Bucket();
      fresh.tokens = burst;
      fresh.lastNanos = now;
      return fresh;
    });
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.lastNanos) / 1e9 * perSecond);
    bucket.lastNanos = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - bucket.tokens) / perSecond * 1e9);
  }
}
