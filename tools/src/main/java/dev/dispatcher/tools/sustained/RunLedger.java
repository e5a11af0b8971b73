package dev.dispatcher.tools.sustained;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many times each task of a sustained run started, by its sequence number (the task's one
 * argument): a start of a sequence seen before is a second run, one never seen by the end is lost.
 * Sized by the run's plan, never by anything a message says (a sequence out of range is counted apart).
 */
final class RunLedger {

  private final AtomicIntegerArray runs;
  private final LongAdder distinct = new LongAdder();
  private final LongAdder repeated = new LongAdder();
  private final LongAdder outOfRange = new LongAdder();

  RunLedger(int capacity) {
    runs = new AtomicIntegerArray(capacity);
  }

  void started(long sequence) {
    if (sequence < 0 || sequence >= runs.length()) {
      outOfRange.increment();
      return;
    }
    if (runs.incrementAndGet((int) sequence) == 1) {
      distinct.increment();
    } else {
      repeated.increment();
    }
  }

  /** Tasks that started at least once. */
  long distinct() {
    return distinct.sum();
  }

  /** Starts beyond each task's first: runs after a lost lease. */
  long repeated() {
    return repeated.sum();
  }

  long outOfRange() {
    return outOfRange.sum();
  }

  /** Sequences below {@code published} that never started. */
  long neverStarted(int published) {
    long missing = 0;
    for (int i = 0; i < Math.min(published, runs.length()); i++) {
      if (runs.get(i) == 0) {
        missing++;
      }
    }
    return missing;
  }
}
