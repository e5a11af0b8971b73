package dev.dispatcher.service.pool;

/**
 * What makes a work durable: the row it was claimed from, the attempt its claim started (which
 * fences every write of its outcome), and the row's retry settings.
 *
 * @param backoffSeconds wait before the second attempt; each later one waits twice the one before
 * @param maxBackoffSeconds no wait is longer than this
 */
public record DurableClaim(long rowId, int attempt, int maxAttempts, double backoffSeconds, double maxBackoffSeconds) {

  /** Whether this attempt is the last one the row allows. */
  public boolean lastAttempt() {
    return attempt >= maxAttempts;
  }
}
