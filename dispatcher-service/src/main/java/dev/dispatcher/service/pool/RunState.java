package dev.dispatcher.service.pool;

import java.time.Instant;

/**
 * What happens to one run, shared between its worker thread, the timer (timeouts) and whoever
 * cancels it. Every field is written once, from false to true (or null to the worker thread).
 */
public final class RunState {

  private volatile Thread thread;
  private volatile int slot = -1;
  private volatile boolean cancelled;
  private volatile boolean timedOut;
  private volatile boolean stuck;
  private volatile boolean finished;
  private volatile long startedNanos;
  private volatile Instant startedAt; // written once, after startedNanos: whoever sees it sees both
  private volatile Progress progress; // the last the run reported, or null
  private volatile java.sql.Connection transaction; // the run's thread only: opened by the task, ended by its completion

  /** The run begins on this thread, now: the wall clock for people, the monotonic one for how long it runs. */
  void started(Thread worker) {
    this.thread = worker;
    this.startedNanos = System.nanoTime();
    this.startedAt = Instant.now();
  }

  /** The transaction the task opened with {@code context.transaction()}, or null: its completion ends it. */
  public java.sql.Connection transaction() {
    return transaction;
  }

  void transaction(java.sql.Connection connection) {
    this.transaction = connection;
  }

  /** What the run last reported with {@code context.progress}, or null. */
  public Progress progress() {
    return progress;
  }

  void progress(Progress progress) {
    this.progress = progress;
  }

  /** When the run began, or null before it does. */
  public Instant startedAt() {
    return startedAt;
  }

  /** How long the run has been going, in nanoseconds; 0 before it begins. */
  public long runningNanos() {
    return startedAt == null ? 0 : System.nanoTime() - startedNanos; // startedAt read first
  }

  void slot(int slot) {
    this.slot = slot;
  }

  /** The worker slot (0 to max_workers - 1) the run occupies, or -1 before it starts. */
  public int slot() {
    return slot;
  }

  /** The worker thread, once the run has started. */
  public Thread thread() {
    return thread;
  }

  /** Marks the run cancelled and interrupts it if it runs. */
  void cancel() {
    cancelled = true;
    Thread worker = thread;
    if (worker != null && !finished) {
      worker.interrupt();
    }
  }

  /** Marks the run timed out and interrupts it. */
  public void timeOut() {
    timedOut = true;
    Thread worker = thread;
    if (worker != null && !finished) {
      worker.interrupt();
    }
  }

  /** Marks the run stuck (it ignored the timeout's interrupt); true the first time only. */
  public synchronized boolean markStuck() {
    if (stuck || finished) {
      return false;
    }
    stuck = true;
    return true;
  }

  public void finished() {
    finished = true;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  public boolean isTimedOut() {
    return timedOut;
  }

  public boolean isStuck() {
    return stuck;
  }

  public boolean isFinished() {
    return finished;
  }
}
