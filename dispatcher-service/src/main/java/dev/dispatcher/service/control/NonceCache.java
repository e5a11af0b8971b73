package dev.dispatcher.service.control;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The nonces of accepted signed messages, each remembered until its signature expires, so a
 * replay within the time window is recognised. Bounded: when {@code capacity} unexpired nonces
 * are held, a new one is refused rather than an old one forgotten (forgetting would reopen the
 * replay). Only messages whose MAC verified reach it, so only holders of the secret can fill it.
 */
final class NonceCache {

  /** The outcome of {@link #remember}. */
  enum Result { NEW, SEEN, FULL }

  private record Entry(String nonce, long expiresAt) {}

  private final int capacity;
  private final Map<String, Long> expiries = new HashMap<>();
  private final PriorityQueue<Entry> byExpiry = new PriorityQueue<>((a, b) -> Long.compare(a.expiresAt, b.expiresAt));

  NonceCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Remembers a nonce until {@code expiresAt} (any monotone unit, e.g. Unix seconds), first
   * forgetting those expired at {@code now}.
   */
  synchronized Result remember(String nonce, long expiresAt, long now) {
    while (!byExpiry.isEmpty() && byExpiry.peek().expiresAt <= now) {
      Entry expired = byExpiry.poll();
      expiries.remove(expired.nonce, expired.expiresAt);
    }
    if (expiries.containsKey(nonce)) {
      return Result.SEEN;
    }
    if (expiries.size() >= capacity) {
      return Result.FULL;
    }
    expiries.put(nonce, expiresAt);
    byExpiry.add(new Entry(nonce, expiresAt));
    return Result.NEW;
  }

  synchronized int size() {
    return expiries.size();
  }
}
