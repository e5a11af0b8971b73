package dev.dispatcher.service.pool;

import dev.dispatcher.service.message.TaskFilter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every accepted task waits and runs: the {@link Slots} (at most {@code maxWorkers} runs,
 * each on its own virtual thread), a FIFO queue in front of them, and the admission policies that
 * decide what enters the queue and what leaves it for a slot:
 *
 * <ul>
 *   <li>{@link DuplicatePolicy on_duplicate}: discard, hold (serial, queue_one) and release duplicates;
 *   <li>{@link TaskLimits per-task limits} ({@code @Task(maxConcurrency)}): work over its task's limit
 *       keeps its place while later work of other tasks may start;
 *   <li>{@link Delays delays}: delayed work waits on the timer and is admitted when due;
 *   <li>{@link WaitingBounds bounds}: how much work may wait, in count and memory.
 * </ul>
 *
 * Plus cancel by uuid or task name (running work is interrupted; queued, held and delayed work
 * removed), snapshots, and the free capacity a claimer pulls against: {@link #freeSlots()}, and a
 * {@link SlotListener} told when a run ends and no waiting work takes its slot.
 *
 * <p>One lock guards the queue, the slots and every policy, because one decision reads several of
 * them and one step changes several: on_duplicate looks at queued, running and held duplicates; the
 * bound counts queued and held work; a finishing run frees its slot and its task's count, releases a
 * held duplicate into the queue and picks the next eligible work, all at once. With a lock per part,
 * an admission between two of those steps could see a duplicate neither active nor held yet (a second
 * serial one would run beside the first) or a slot free that a hand-off is about to take. The parts
 * are therefore plain single-threaded classes called under this lock. Threads are started, and slot
 * listeners called, outside it; {@link Events} may be called under it.
 */
public final class WorkerPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

  /** What happened to a submission. */
  public enum Admission {
    STARTED,
    QUEUED,
    /** Held by on_duplicate (serial, queue_one) until its duplicate is done. */
    HELD,
    /** Dropped by on_duplicate (discard, queue_one). */
    DROPPED_DUPLICATE,
    DELAYED,
    /** Refused: queued and held work is at its bound (count or memory). */
    QUEUE_FULL,
    /** Refused: delayed work is at its bound (count or memory). */
    DELAYED_FULL,
    /** The pool is shutting down. */
    CLOSED
  }

  /**
   * How much work may wait, whatever arrives: queued and held tasks, delayed tasks, and the
   * estimated memory of all of them ({@link dev.dispatcher.service.message.TaskMessage#memoryBytes()}).
   * Running work is bounded by the slots.
   */
  public record Bounds(int maxWaiting, int maxDelayed, long maxWaitingBytes, long maxDelayedBytes) {}

  /** Where a message is: the wire format's names for the states. */
  public enum Place {
    RUNNING,
    QUEUED,
    HELD,
    DELAYED
  }

  /** A message and where it is, for cancel results and snapshots. */
  public record Located(Work work, Place place) {}

  /** One worker slot: the work it runs (or null when free) and how many runs it finished. */
  public record Slot(int id, Work current, long finished) {}

  /**
   * Called for admissions that happen later (a delay ending, a held task released): for logs and
   * counts. May be called under the pool's lock: keep it short and do not call back into the pool.
   */
  public interface Events {
    void admitted(Work work, Admission admission);

    /** running + queued + held dropped to zero, or rose from it. */
    default void idleChanged(boolean idle) {}
  }

  /** Told when a slot frees: a run ended and no waiting work took its slot. */
  @FunctionalInterface
  public interface SlotListener {
    /**
     * Called on the worker thread whose run ended, outside the pool's lock, while the pool accepts
     * work; by the time it runs, other admissions may have taken slots again.
     *
     * @param freeSlots the free slots right after this one freed (at least 1)
     */
    void slotFreed(int freeSlots);
  }

  private final Events events;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition quiet = lock.newCondition();
  private final Slots slots;
  private final ArrayDeque<Work> queue = new ArrayDeque<>();
  private final DuplicatePolicy duplicates = new DuplicatePolicy();
  private final TaskLimits limits = new TaskLimits();
  private final Delays delays;
  private final WaitingBounds bounds;
  private final List<SlotListener> slotListeners = new CopyOnWriteArrayList<>();
  private boolean accepting = true;
  private boolean idle = true;

  /**
   * @param runner runs one work on the calling worker thread
   * @param timer where delayed work waits
   * @param events told of later admissions and of idleness
   */
  public WorkerPool(int maxWorkers, Consumer<Work> runner, ScheduledExecutorService timer, Events events, Bounds bounds) {
    if (maxWorkers < 1) {
      throw new IllegalArgumentException("maxWorkers must be at least 1: " + maxWorkers);
    }
    this.slots = new Slots(maxWorkers, Objects.requireNonNull(runner, "runner"), this::finishAndTakeNext);
    this.delays = new Delays(Objects.requireNonNull(timer, "timer"), this::admitDelayed);
    this.events = Objects.requireNonNull(events, "events");
    this.bounds = new WaitingBounds(Objects.requireNonNull(bounds, "bounds"));
  }

  /** Admits work now: starts, queues, holds or drops it (on_duplicate), or refuses it (bounds, shutdown). */
  public Admission admit(Work work) {
    return admitAll(List.of(work)).get(0);
  }

  /**
   * Admits each work in order, as {@link #admit} would one after the other, under one hold of the
   * lock; the threads for the work that starts are started after it. A burst costs one lock and
   * as many thread starts as there are free slots, however long it is: the rest waits in the
   * queue for the threads that run the first ones.
   *
   * @return the admission of each work, in the same order
   */
  public List<Admission> admitAll(List<Work> works) {
    Admission[] admissions = new Admission[works.size()];
    List<Work> toStart = new ArrayList<>();
    lock.lock();
    try {
      for (int i = 0; i < admissions.length; i++) {
        admissions[i] = accepting ? enterAndFill(works.get(i), toStart) : Admission.CLOSED;
      }
      updateIdle();
    } finally {
      lock.unlock();
    }
    toStart.forEach(slots::start);
    return Arrays.asList(admissions);
  }

  /** Under the lock: one admission; what it lets start is added to {@code toStart}. */
  private Admission enterAndFill(Work work, List<Work> toStart) {
    Admission admission = enter(work);
    int before = toStart.size();
    fillSlots(toStart);
    if (admission == Admission.QUEUED && toStart.subList(before, toStart.size()).contains(work)) {
      return Admission.STARTED;
    }
    if ((admission == Admission.QUEUED || admission == Admission.HELD) && bounds.exceeded(queue.size() + duplicates.held())) {
      withdraw(work, admission);
      return Admission.QUEUE_FULL;
    }
    return admission;
  }

  /** Under the lock: the on_duplicate decision, then the queue. */
  private Admission enter(Work work) {
    return switch (duplicates.decide(work)) {
      case DROP -> Admission.DROPPED_DUPLICATE;
      case HOLD -> {
        bounds.add(work);
        yield Admission.HELD;
      }
      case ADMIT -> {
        queue.addLast(work);
        duplicates.queued(work);
        bounds.add(work);
        yield Admission.QUEUED;
      }
    };
  }

  /** Under the lock: takes back work that {@link #enter} just queued or held at the tail. */
  private void withdraw(Work work, Admission admission) {
    if (admission == Admission.QUEUED) {
      queue.removeLastOccurrence(work);
      duplicates.unqueue(work);
    } else {
      duplicates.unhold(work);
    }
    bounds.remove(work);
  }

  /** Holds work on the timer, then admits it; cancellable meanwhile. */
  public Admission admitAfter(Work work, long delayNanos) {
    lock.lock();
    try {
      if (!accepting) {
        return Admission.CLOSED;
      }
      if (!bounds.fitsDelayed(delays.size(), work)) {
        return Admission.DELAYED_FULL;
      }
      delays.add(work, delayNanos);
      bounds.addDelayed(work);
      return Admission.DELAYED;
    } finally {
      lock.unlock();
    }
  }

  /** On the timer: the delay is over. */
  private void admitDelayed(Work work) {
    lock.lock();
    try {
      if (!delays.due(work)) {
        return; // cancelled or abandoned while it waited
      }
      bounds.removeDelayed(work); // admit() counts it again if it waits
    } finally {
      lock.unlock();
    }
    events.admitted(work, admit(work));
  }

  /** Under the lock: takes the work that can start now off the queue, puts it in slots and adds it to {@code toStart}. */
  private void fillSlots(List<Work> toStart) {
    while (slots.free() > 0) {
      Work next = takeEligible();
      if (next == null) {
        return;
      }
      toStart.add(next);
    }
  }

  /** Under the lock, with a slot free: the first queued work whose task is under its limit, put in a slot; or null. */
  private Work takeEligible() {
    for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
      Work candidate = it.next();
      if (limits.mayStart(candidate)) {
        it.remove();
        bounds.remove(candidate);
        limits.started(candidate);
        slots.occupy(candidate);
        return candidate;
      }
    }
    return null;
  }

  /** On the worker thread, its run over: frees the slot, releases a held duplicate, and picks this thread's next work. */
  private Work finishAndTakeNext(Work done) {
    List<Work> others = new ArrayList<>(0);
    Work mine;
    int freed = 0;
    lock.lock();
    try {
      slots.vacate(done);
      limits.finished(done);
      Work released = duplicates.left(done);
      if (released != null) {
        requeue(released);
      }
      mine = takeEligible();
      fillSlots(others);
      updateIdle();
      if (slots.busy() == 0 && queue.isEmpty()) {
        quiet.signalAll();
      }
      if (mine == null && accepting) {
        freed = slots.free();
      }
    } finally {
      lock.unlock();
    }
    others.forEach(slots::start);
    if (freed > 0) {
      slotFreed(freed);
    }
    return mine;
  }

  /** Under the lock: a held duplicate released by {@link DuplicatePolicy#left} joins the queue (its bytes stay counted). */
  private void requeue(Work released) {
    queue.addLast(released);
    events.admitted(released, Admission.QUEUED);
  }

  private void slotFreed(int freeSlots) {
    for (SlotListener listener : slotListeners) {
      try {
        listener.slotFreed(freeSlots);
      } catch (RuntimeException e) {
        log.error("a slot listener failed: {}", e.toString(), e);
      }
    }
  }

  private void updateIdle() {
    boolean nowIdle = slots.busy() == 0 && queue.isEmpty() && duplicates.held() == 0;
    if (nowIdle != idle) {
      idle = nowIdle;
      events.idleChanged(nowIdle);
    }
  }

  /**
   * Slots no run occupies, or 0 once the pool is shutting down: how much work may be fetched now to
   * start at once. Queued work counts only once it runs: it waits while a slot is free only when its
   * task is at its limit.
   */
  public int freeSlots() {
    lock.lock();
    try {
      return accepting ? slots.free() : 0;
    } finally {
      lock.unlock();
    }
  }

  /** False once {@link #shutdown} began: what ends now ends because the daemon stops. */
  public boolean isAccepting() {
    lock.lock();
    try {
      return accepting;
    } finally {
      lock.unlock();
    }
  }

  /** Adds a listener told each time a slot frees (see {@link SlotListener}). */
  public void addSlotListener(SlotListener listener) {
    slotListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Cancels what matches: running work is interrupted (it ends as cancelled), queued, held and
   * delayed work is removed. A null uuid or task name matches anything; both null match nothing.
   * The result is ordered by place: running, queued, held, delayed.
   */
  public List<Located> cancel(String uuid, String taskName) {
    return cancel(TaskFilter.byUuidAndTask(uuid, taskName));
  }

  /**
   * Cancels the work whose message the filter matches, as {@link #cancel(String, String)} does;
   * an empty filter matches nothing here (cancelling everything is never meant).
   */
  public List<Located> cancel(TaskFilter filter) {
    List<Located> cancelled = new ArrayList<>();
    if (filter.isEmpty()) {
      return cancelled;
    }
    Predicate<Work> matches = work -> filter.matches(work.message());
    lock.lock();
    try {
      // Held and delayed first: removing a queued duplicate releases held work into the queue,
      // which must not let held work that matches escape.
      for (Work work : duplicates.cancelHeld(matches)) {
        bounds.remove(work);
        cancelled.add(new Located(work, Place.HELD));
      }
      for (Work work : delays.cancel(matches)) {
        bounds.removeDelayed(work);
        cancelled.add(new Located(work, Place.DELAYED));
      }
      List<Work> released = new ArrayList<>();
      for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
        Work work = it.next();
        if (matches.test(work)) {
          it.remove();
          bounds.remove(work);
          Work behind = duplicates.left(work);
          if (behind != null) {
            released.add(behind); // queued after the loop: it does not match, and the queue is being walked
          }
          cancelled.add(new Located(work, Place.QUEUED));
        }
      }
      released.forEach(this::requeue);
      slots.forEachRunning(work -> {
        if (matches.test(work)) {
          work.state().cancel();
          cancelled.add(new Located(work, Place.RUNNING));
        }
      });
      updateIdle();
    } finally {
      lock.unlock();
    }
    cancelled.sort(Comparator.comparing(Located::place)); // stable: each place keeps its order
    return cancelled;
  }

  /** Everything the pool holds, by place (running, queued, held, delayed), each place in order. */
  public List<Located> snapshot() {
    List<Located> all = new ArrayList<>();
    lock.lock();
    try {
      slots.forEachRunning(work -> all.add(new Located(work, Place.RUNNING)));
      queue.forEach(work -> all.add(new Located(work, Place.QUEUED)));
      duplicates.forEachHeld(work -> all.add(new Located(work, Place.HELD)));
      delays.forEach(work -> all.add(new Located(work, Place.DELAYED)));
    } finally {
      lock.unlock();
    }
    return all;
  }

  /** Every worker slot, 0 to max_workers - 1. */
  public List<Slot> slots() {
    lock.lock();
    try {
      return slots.view();
    } finally {
      lock.unlock();
    }
  }

  public int running() {
    lock.lock();
    try {
      return slots.busy();
    } finally {
      lock.unlock();
    }
  }

  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  public int held() {
    lock.lock();
    try {
      return duplicates.held();
    } finally {
      lock.unlock();
    }
  }

  public int delayed() {
    lock.lock();
    try {
      return delays.size();
    } finally {
      lock.unlock();
    }
  }

  public int maxWorkers() {
    return slots.size();
  }

  /** Estimated memory of queued, held and delayed work. */
  public long waitingBytes() {
    lock.lock();
    try {
      return bounds.bytes();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops taking work and returns what will never run (queued, held, delayed), so the caller can
   * log it; running tasks get the grace period, then an interrupt and a little more time.
   */
  public List<Work> shutdown(Duration gracePeriod) {
    return shutdown(gracePeriod, work -> { });
  }

  /**
   * {@link #shutdown(Duration)}, telling {@code onAbandoned} of each work that will never run as
   * soon as it is taken out, before the grace period: a stop cut short during it (a second signal)
   * has logged them already.
   */
  public List<Work> shutdown(Duration gracePeriod, Consumer<Work> onAbandoned) {
    List<Work> abandoned = new ArrayList<>();
    lock.lock();
    try {
      accepting = false;
      abandoned.addAll(queue);
      queue.clear();
      abandoned.addAll(duplicates.clear());
      abandoned.addAll(delays.clear());
      bounds.clear();
      if (slots.busy() == 0) {
        quiet.signalAll();
      }
    } finally {
      lock.unlock();
    }
    abandoned.forEach(onAbandoned);
    if (!awaitQuiet(gracePeriod)) {
      List<Work> stillRunning = new ArrayList<>();
      lock.lock();
      try {
        slots.forEachRunning(stillRunning::add);
      } finally {
        lock.unlock();
      }
      log.warn("{} task(s) still running after the {} ms grace period: interrupting {}", stillRunning.size(),
          gracePeriod.toMillis(), stillRunning);
      stillRunning.forEach(work -> work.state().cancel()); // they end as cancelled, not failed
      if (!awaitQuiet(Duration.ofSeconds(5))) {
        log.warn("{} task(s) ignored the interrupt; exiting without them", running());
      }
    }
    return abandoned;
  }

  /** Waits until nothing runs or is queued. */
  private boolean awaitQuiet(Duration timeout) {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (slots.busy() > 0 || !queue.isEmpty()) {
        if (remaining <= 0) {
          return false;
        }
        remaining = quiet.awaitNanos(remaining);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** {@link #shutdown} without a grace period. */
  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
