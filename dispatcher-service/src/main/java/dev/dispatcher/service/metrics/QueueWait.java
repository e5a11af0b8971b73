package dev.dispatcher.service.metrics;

import java.time.Duration;
import java.time.Instant;

/**
 * The wait from publish to start, from a message's {@code time_pub} (the publisher's clock, and
 * anyone can NOTIFY any number) and the run's start (this daemon's clock). A publish time up to
 * {@link #MAX_CLOCK_SKEW} in the future is clock skew and counts as no wait; one further ahead, one
 * more than {@link #MAX_WAIT} ago, or one that is not a finite number is not a wait at all and is
 * not recorded.
 */
public final class QueueWait {

  /** How far ahead of this daemon's clock a publisher's clock may run and still count as no wait. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(1);
  /** The longest wait recorded: longer than any delay and queue time that deployments hold in memory. */
  public static final Duration MAX_WAIT = Duration.ofDays(30);

  private QueueWait() {}

  /**
   * Seconds from {@code timePub} (epoch seconds) to {@code startedAt}, or NaN when the message had
   * no publish time or an implausible one.
   */
  public static double seconds(double timePub, Instant startedAt) {
    if (!Double.isFinite(timePub)) {
      return Double.NaN;
    }
    double wait = (startedAt.getEpochSecond() - timePub) + startedAt.getNano() / 1e9;
    if (wait < 0) {
      return wait >= -MAX_CLOCK_SKEW.toSeconds() ? 0 : Double.NaN;
    }
    return wait <= MAX_WAIT.toSeconds() ? wait : Double.NaN;
  }
}
