package dev.dispatcher.service.pool;

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

  void started(Thread worker) {
    this.thread = worker;
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
