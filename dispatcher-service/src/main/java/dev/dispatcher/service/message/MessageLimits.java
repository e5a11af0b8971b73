package dev.dispatcher.service.message;

import java.time.Duration;

/**
 * The largest delay and timeout a task message from the wire may ask for. A longer one is refused
 * when the message is decoded: a delay of 1e308 s would otherwise be held for ever.
 */
public record MessageLimits(double maxDelaySeconds, double maxTimeoutSeconds) {

  /** No bound beyond a finite, non-negative number: for messages the daemon makes from its own config. */
  public static final MessageLimits TRUSTED = new MessageLimits(Double.MAX_VALUE, Double.MAX_VALUE);

  public static MessageLimits of(Duration maxDelay, Duration maxTimeout) {
    return new MessageLimits(maxDelay.toNanos() / 1e9, maxTimeout.toNanos() / 1e9);
  }
}
