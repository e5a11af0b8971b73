package dev.dispatcher.service.pool;

/**
 * The bounds on work that waits ({@link WorkerPool.Bounds}), whatever arrives: the count of queued
 * and held work, the count of delayed work, and the estimated memory of all three
 * ({@link dev.dispatcher.service.message.TaskMessage#memoryBytes()}), kept here as work enters and
 * leaves those places. Running work is bounded by the slots and not counted.
 *
 * <p>Not thread-safe: {@link WorkerPool} calls it under its lock, with the counts of the places it
 * holds.
 */
final class WaitingBounds {

  private final WorkerPool.Bounds bounds;
  private long bytes;

  WaitingBounds(WorkerPool.Bounds bounds) {
    this.bounds = bounds;
  }

  /** Work was queued, held or delayed. */
  void add(Work work) {
    bytes += work.message().memoryBytes();
  }

  /** Work left the queue, the held or the delayed work. */
  void remove(Work work) {
    bytes -= work.message().memoryBytes();
  }

  /** After work was queued or held, counted: whether waiting work is now past a bound, so it must be taken back. */
  boolean exceeded(int queuedAndHeld) {
    return queuedAndHeld > bounds.maxWaiting() || bytes > bounds.maxWaitingBytes();
  }

  /** Before work is delayed: whether it fits next to the {@code delayed} work already waiting. */
  boolean fitsDelayed(int delayed, Work work) {
    return delayed < bounds.maxDelayed() && bytes + work.message().memoryBytes() <= bounds.maxWaitingBytes();
  }

  /** Estimated memory of queued, held and delayed work. */
  long bytes() {
    return bytes;
  }

  /** Nothing waits any more (shutdown). */
  void clear() {
    bytes = 0;
  }
}
