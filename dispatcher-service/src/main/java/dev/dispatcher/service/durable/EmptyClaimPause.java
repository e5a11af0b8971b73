package dev.dispatcher.service.durable;

/**
 * How long the claimer waits before its next claim after claims that found nothing: no pause
 * after one empty claim (a lost race with another node is normal), then 1 ms, doubling with each
 * further empty claim up to {@link #MAX_PAUSE_NANOS}; the first claim that takes a row ends it. A
 * doorbell is a hint anyone can send: this bounds what hostile or useless ones cost the daemon and
 * the database (a claim statement each) while a real backlog is still claimed as fast as slots free.
 * Not thread-safe: the claimer's thread owns it.
 */
final class EmptyClaimPause {

  static final long MAX_PAUSE_NANOS = 64_000_000;
  private static final long FIRST_PAUSE_NANOS = 1_000_000;

  /** What a claim changed, for a log line at each edge (one per episode, not one per claim). */
  enum Change { UNCHANGED, STARTED_PAUSING, STOPPED_PAUSING }

  private int emptyInARow;
  private long pauseNanos;
  private long notBeforeNanos;
  private boolean loggedPausing;

  /** Records a claim round that took {@code rows} rows, ending at {@code nowNanos}. */
  Change claimed(int rows, long nowNanos) {
    if (rows > 0) {
      emptyInARow = 0;
      pauseNanos = 0;
      notBeforeNanos = nowNanos;
      if (loggedPausing) {
        loggedPausing = false;
        return Change.STOPPED_PAUSING;
      }
      return Change.UNCHANGED;
    }
    emptyInARow++;
    if (emptyInARow >= 2) {
      pauseNanos = pauseNanos == 0 ? FIRST_PAUSE_NANOS : Math.min(MAX_PAUSE_NANOS, pauseNanos * 2);
    }
    notBeforeNanos = nowNanos + pauseNanos;
    if (pauseNanos == MAX_PAUSE_NANOS && !loggedPausing) {
      loggedPausing = true;
      return Change.STARTED_PAUSING;
    }
    return Change.UNCHANGED;
  }

  /** How much longer the next claim should wait, at {@code nowNanos}; 0 when it may run now. */
  long remainingNanos(long nowNanos) {
    return Math.max(0, notBeforeNanos - nowNanos);
  }
}
