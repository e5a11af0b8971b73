package dev.dispatcher.service.hooks;

import java.time.Duration;
import java.time.Instant;

/**
 * How a run ended.
 *
 * @param result the method's return value (null for void or on failure)
 * @param error the exception the method threw, or null
 */
public record TaskOutcome(Status status, Object result, Throwable error, Instant finishedAt, Duration duration) {

  /** The end states of a run. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    /** Interrupted at its timeout (it may have returned or thrown after that). */
    TIMED_OUT,
    /** Cancelled while it ran. */
    CANCELLED
  }
}
