package dev.dispatcher.service.pool;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker slots: at most {@code size} runs at once, each in a numbered slot (0 to size - 1,
 * the lowest free one) that counts the runs it finished, each on a virtual thread. A thread whose
 * run ended asks the {@link Handoff} for more work and runs it too, so a saturated pool starts no
 * thread and never idles between tasks.
 *
 * <p>Which work runs, and when, is not decided here but by the pool's admission policies.
 * {@link #occupy}, {@link #vacate} and the readers are called under {@link WorkerPool}'s lock;
 * {@link #start} and the runs outside it.
 */
final class Slots {

  // The pool's log lines keep the pool's logger name.
  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

  /** Where a worker thread gets its next work. */
  interface Handoff {
    /** The run of {@code done} is over: frees its slot; returns this thread's next work, already in a slot, or null to end the thread. */
    Work next(Work done);
  }

  private final Work[] current;
  private final long[] finished;
  private final BitSet busy;
  private final Consumer<Work> runner;
  private final Handoff handoff;
  private final ThreadFactory threads = Thread.ofVirtual().name("task-", 1).factory(); // the factory is thread-safe, a builder is not
  private int busyCount;

  Slots(int size, Consumer<Work> runner, Handoff handoff) {
    this.current = new Work[size];
    this.finished = new long[size];
    this.busy = new BitSet(size);
    this.runner = runner;
    this.handoff = handoff;
  }

  int size() {
    return current.length;
  }

  int busy() {
    return busyCount;
  }

  int free() {
    return current.length - busyCount;
  }

  /** Puts work in the lowest free slot; the caller has made sure one is free. */
  void occupy(Work work) {
    int slot = busy.nextClearBit(0);
    if (slot >= current.length) {
      throw new IllegalStateException("no free slot for " + work);
    }
    busy.set(slot);
    current[slot] = work;
    busyCount++;
    work.state().slot(slot);
  }

  /** Frees the slot of work whose run ended, and counts the run. */
  void vacate(Work work) {
    int slot = work.state().slot();
    if (slot >= 0 && current[slot] == work) {
      current[slot] = null;
      busy.clear(slot);
      busyCount--;
      finished[slot]++;
    }
  }

  /** The running work, in slot order. */
  void forEachRunning(Consumer<Work> action) {
    for (int slot = busy.nextSetBit(0); slot >= 0; slot = busy.nextSetBit(slot + 1)) {
      action.accept(current[slot]);
    }
  }

  /** Every slot with its work (or null) and its count of finished runs. */
  List<WorkerPool.Slot> view() {
    List<WorkerPool.Slot> slots = new ArrayList<>(current.length);
    for (int i = 0; i < current.length; i++) {
      slots.add(new WorkerPool.Slot(i, current[i], finished[i]));
    }
    return slots;
  }

  /** Starts a thread for work just put in a slot; after it, the thread runs whatever the handoff gives it. */
  void start(Work work) {
    threads.newThread(() -> runChain(work)).start();
  }

  private void runChain(Work first) {
    Work next = first;
    while (next != null) {
      Work work = next;
      work.state().started(Thread.currentThread());
      try {
        if (!work.state().isCancelled()) {
          runner.accept(work);
        }
      } catch (RuntimeException | Error e) {
        log.error("task {} escaped its runner: {}", work.message().uuid(), e.toString(), e);
      } finally {
        work.state().finished();
      }
      Thread.interrupted(); // every task starts un-interrupted
      next = handoff.next(work);
    }
  }
}
