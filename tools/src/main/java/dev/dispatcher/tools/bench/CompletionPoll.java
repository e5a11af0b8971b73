package dev.dispatcher.tools.bench;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Polls the database until a condition holds (every row of a round done), and says when it was
 * first seen and how precise that is: the condition became true after the previous poll's query
 * was sent (that query still saw it false) and before the answer of the query that saw it true.
 * The bench only starts polling once every task has ended in process, so the wait is short (the
 * last completion batches) and the polls load nothing while tasks run.
 */
final class CompletionPoll {

  /** A query whose answer is the condition. */
  @FunctionalInterface
  interface Check {
    boolean holds() throws Exception;
  }

  /** The waiting between polls (a seam for the tests). */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * @param answeredNanos the answer of the first query that saw the condition true
   * @param previousSentNanos when the query before it was sent (the one that saw it false), or
   *     when the first query was sent if that one already saw it true
   * @param polls queries sent
   */
  record Seen(long answeredNanos, long previousSentNanos, int polls) {}

  private final LongSupplier clock;
  private final Sleeper sleeper;

  CompletionPoll() {
    this(System::nanoTime, duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000));
  }

  CompletionPoll(LongSupplier clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /**
   * Asks {@code check} every {@code interval} (measured from one query's answer to the next query)
   * until it holds.
   *
   * @throws TimeoutException when it still does not hold after {@code timeout}
   */
  Seen until(Check check, Duration interval, Duration timeout) throws Exception {
    long started = clock.getAsLong();
    long previousSent = started;
    int polls = 0;
    while (true) {
      long sent = clock.getAsLong();
      boolean holds = check.holds();
      long answered = clock.getAsLong();
      polls++;
      if (holds) {
        return new Seen(answered, polls == 1 ? sent : previousSent, polls);
      }
      if (answered - started > timeout.toNanos()) {
        throw new TimeoutException("not done after " + timeout.toMillis() + " ms (" + polls + " polls)");
      }
      previousSent = sent;
      sleeper.sleep(interval);
    }
  }
}
