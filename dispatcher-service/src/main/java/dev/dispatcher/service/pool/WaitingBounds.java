package dev.dispatcher.service.pool;

/**
 * The bounds on work that waits ({@link WorkerPool.Bounds}), whatever arrives: the count and the
 * estimated memory ({@link dev.dispatcher.service.message.TaskMessage#memoryBytes()}) of queued and
 * held work, and apart from them the count and memory of delayed work, kept here as work enters
 * and leaves those places. Apart, so that delayed work (which a flood can keep for up to
 * limits.max_delay) never takes the room of work that is due now. Running work is bounded by the
 * slots and not counted.
 *
 * <p>Not thread-safe: {@link WorkerPool} calls it under its lock, with the counts of the places it
 * holds.
 */
final class WaitingBounds {

  private final WorkerPool.Bounds bounds;
  private long bytes; // queued and held
  private long delayedBytes;

  WaitingBounds(WorkerPool.Bounds bounds) {
    this.bounds = bounds;
  }

  /** Work was queued or held. */
  void add(Work work) {
    bytes += work.message().memoryBytes();
  }

  /** Work left the queue or the held work. */
  void remove(Work work) {
    bytes -= work.message().memoryBytes();
  }

  /** Work was delayed. */
  void addDelayed(Work work) {
    delayedBytes += work.message().memoryBytes();
  }

  /** Delayed work was due, cancelled or abandoned. */
  void removeDelayed(Work work) {
    delayedBytes -= work.message().memoryBytes();
  }

  /** After work was queued or held, counted: whether waiting work is now past a bound, so it must be taken back. */
  boolean exceeded(int queuedAndHeld) {
    return queuedAndHeld > bounds.maxWaiting() || bytes > bounds.maxWaitingBytes();
  }

  /** Before work is delayed: whether it fits next to the {@code delayed} work already waiting. */
  boolean fitsDelayed(int delayed, Work work) {
    return delayed < bounds.maxDelayed() && delayedBytes + work.message().memoryBytes() <= bounds.maxDelayedBytes();
  }

  /** Estimated memory of queued, held and delayed work. */
  long bytes() {
    return bytes + delayedBytes;
  }

  /** Nothing waits any more (shutdown). */
  void clear() {
    bytes = 0;
    delayedBytes = 0;
  }
}
