package dev.dispatcher.service.pool;

import dev.dispatcher.OnDuplicate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every accepted task waits and runs. At most {@code maxWorkers} run at once, each on its
 * own virtual thread; the rest wait in arrival order. On top of that:
 *
 * <ul>
 *   <li><b>on_duplicate</b> (duplicates share task, args and kwargs): {@code discard} drops a
 *       submission while a duplicate is running, queued or held; {@code serial} holds it while a
 *       duplicate is running or queued and releases held ones in arrival order; {@code queue_one}
 *       holds at most one and drops the rest.
 *   <li><b>per-task limits</b> ({@code @Task(maxConcurrency)}): work over its task's limit keeps
 *       its place while later work of other tasks may start.
 *   <li><b>delays</b>: delayed work waits on the timer (not a polling loop) and is admitted when due.
 *   <li><b>cancel</b> by uuid or task name, over running (interrupted), queued, held and delayed work.
 * </ul>
 *
 * <p>One lock guards all of it; threads are started outside it. A finishing task hands its slot
 * to the next eligible work on the same thread, so a saturated pool never idles between tasks.
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
  public record Bounds(int maxWaiting, int maxDelayed, long maxWaitingBytes) {
    /** No bound: for tests of the pool alone. */
    public static final Bounds NONE = new Bounds(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  /** Where a message is: the wire format's names for the states. */
  public enum Place {
    RUNNING,
    QUEUED,
    HELD,
    DELAYED
  }

  /** A message and where it is, for cancel results and snapshots. */
  public record Located(Work work, Place place) {}

  /** Called for admissions that happen later (a delay ending, a held task released): for logs and counts. */
  public interface Events {
    void admitted(Work work, Admission admission);

    /** running + queued + held dropped to zero, or rose from it. */
    default void idleChanged(boolean idle) {}
  }

  private final int maxWorkers;
  private final Consumer<Work> runner;
  private final ScheduledExecutorService timer;
  private final Events events;
  private final Bounds bounds;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition quiet = lock.newCondition();
  private final ArrayDeque<Work> queue = new ArrayDeque<>();
  private final Set<Work> running = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Work.DuplicateKey, ArrayDeque<Work>> held = new LinkedHashMap<>();
  private final Map<Work.DuplicateKey, Integer> active = new HashMap<>(); // running + queued, per key
  private final Map<String, Integer> runningByTask = new HashMap<>();
  private final Map<Work, ScheduledFuture<?>> delayed = new IdentityHashMap<>();
  private final java.util.BitSet busySlots = new java.util.BitSet();
  private final long[] finishedBySlot;
  private final Thread.Builder threads = Thread.ofVirtual().name("task-", 1);
  private int heldCount;
  private long waitingBytes; // queued, held and delayed work
  private boolean accepting = true;
  private boolean idle = true;

  /** A pool without delays or events (for tests of the pool alone). */
  public WorkerPool(int maxWorkers, Consumer<Work> runner) {
    this(maxWorkers, runner, null, (Events) (work, admission) -> { }, Bounds.NONE);
  }

  public WorkerPool(int maxWorkers, Consumer<Work> runner, ScheduledExecutorService timer, Events events, Bounds bounds) {
    if (maxWorkers < 1) {
      throw new IllegalArgumentException("maxWorkers must be at least 1: " + maxWorkers);
    }
    this.maxWorkers = maxWorkers;
    this.finishedBySlot = new long[maxWorkers];
    this.runner = runner;
    this.timer = timer;
    this.events = events;
    this.bounds = bounds;
  }

  /** Admits work now; false only when the pool is shutting down. */
  public boolean submit(Work work) {
    return admit(work) != Admission.CLOSED;
  }

  /** Admits work now: starts, queues, holds or drops it (on_duplicate). */
  public Admission admit(Work work) {
    List<Work> toStart;
    Admission admission;
    lock.lock();
    try {
      if (!accepting) {
        return Admission.CLOSED;
      }
      admission = enter(work);
      toStart = fillSlots();
      boolean started = admission == Admission.QUEUED && toStart.contains(work);
      if (started) {
        admission = Admission.STARTED;
      } else if ((admission == Admission.QUEUED || admission == Admission.HELD) && overBound()) {
        withdraw(work, admission);
        admission = Admission.QUEUE_FULL;
      }
      updateIdle();
    } finally {
      lock.unlock();
    }
    toStart.forEach(this::start);
    return admission;
  }

  /** Under the lock: waiting work past its bound, counting the work just entered. */
  private boolean overBound() {
    return queue.size() + heldCount > bounds.maxWaiting() || waitingBytes > bounds.maxWaitingBytes();
  }

  /** Under the lock: takes back work that {@link #enter} just queued or held at the tail. */
  private void withdraw(Work work, Admission admission) {
    if (admission == Admission.QUEUED) {
      queue.removeLastOccurrence(work);
      Work.DuplicateKey key = work.duplicateKey();
      if (active.merge(key, -1, Integer::sum) <= 0) {
        active.remove(key); // nothing is held behind it: it would have been held itself
      }
    } else {
      ArrayDeque<Work> waiting = held.get(work.duplicateKey());
      waiting.removeLastOccurrence(work);
      if (waiting.isEmpty()) {
        held.remove(work.duplicateKey());
      }
      heldCount--;
    }
    waitingBytes -= work.message().memoryBytes();
  }

  /** Holds work on the timer, then admits it; cancellable meanwhile. */
  public Admission admitAfter(Work work, long delayNanos) {
    if (timer == null) {
      throw new IllegalStateException("this pool has no timer for delayed work");
    }
    lock.lock();
    try {
      if (!accepting) {
        return Admission.CLOSED;
      }
      long bytes = work.message().memoryBytes();
      if (delayed.size() >= bounds.maxDelayed() || waitingBytes + bytes > bounds.maxWaitingBytes()) {
        return Admission.DELAYED_FULL;
      }
      ScheduledFuture<?> due = timer.schedule(() -> admitDelayed(work), delayNanos, TimeUnit.NANOSECONDS);
      delayed.put(work, due);
      waitingBytes += bytes;
      return Admission.DELAYED;
    } finally {
      lock.unlock();
    }
  }

  private void admitDelayed(Work work) {
    lock.lock();
    try {
      if (delayed.remove(work) == null) {
        return; // cancelled or abandoned while it waited
      }
      waitingBytes -= work.message().memoryBytes(); // admit() counts it again if it waits
    } finally {
      lock.unlock();
    }
    events.admitted(work, admit(work));
  }

  /** Under the lock: the on_duplicate decision, then the queue. */
  private Admission enter(Work work) {
    OnDuplicate policy = work.onDuplicate();
    Work.DuplicateKey key = policy == OnDuplicate.PARALLEL ? null : work.duplicateKey();
    if (key != null) {
      boolean duplicateActive = active.getOrDefault(key, 0) > 0;
      ArrayDeque<Work> waiting = held.get(key);
      boolean duplicateHeld = waiting != null && !waiting.isEmpty();
      switch (policy) {
        case DISCARD -> {
          if (duplicateActive || duplicateHeld) {
            return Admission.DROPPED_DUPLICATE;
          }
        }
        case SERIAL, QUEUE_ONE -> {
          if (duplicateActive || duplicateHeld) {
            if (policy == OnDuplicate.QUEUE_ONE && duplicateHeld) {
              return Admission.DROPPED_DUPLICATE;
            }
            held.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(work);
            heldCount++;
            waitingBytes += work.message().memoryBytes();
            return Admission.HELD;
          }
        }
        default -> { }
      }
    }
    enqueue(work);
    return Admission.QUEUED;
  }

  private void enqueue(Work work) {
    queue.addLast(work);
    active.merge(work.duplicateKey(), 1, Integer::sum);
    waitingBytes += work.message().memoryBytes();
  }

  /** Under the lock: takes the work that can start now off the queue and marks it running. */
  private List<Work> fillSlots() {
    List<Work> toStart = List.of();
    while (running.size() < maxWorkers) {
      Work next = takeEligible();
      if (next == null) {
        break;
      }
      if (toStart.isEmpty()) {
        toStart = new ArrayList<>();
      }
      toStart.add(next);
    }
    return toStart;
  }

  /** Under the lock: the first queued work whose task is under its limit, marked running; or null. */
  private Work takeEligible() {
    Iterator<Work> it = queue.iterator();
    while (it.hasNext()) {
      Work candidate = it.next();
      int limit = candidate.task().definition().maxConcurrency();
      if (limit == 0 || runningByTask.getOrDefault(candidate.message().task(), 0) < limit) {
        it.remove();
        waitingBytes -= candidate.message().memoryBytes();
        running.add(candidate);
        runningByTask.merge(candidate.message().task(), 1, Integer::sum);
        int slot = busySlots.nextClearBit(0);
        busySlots.set(slot);
        candidate.state().slot(slot);
        return candidate;
      }
    }
    return null;
  }

  private void start(Work work) {
    threads.start(() -> runChain(work));
  }

  /** Runs the work, then keeps this thread busy with the next eligible work while there is some. */
  private void runChain(Work first) {
    Work next = first;
    while (next != null) {
      Work current = next;
      current.state().started(Thread.currentThread());
      try {
        if (!current.state().isCancelled()) {
          runner.accept(current);
        }
      } catch (RuntimeException | Error e) {
        log.error("task {} escaped its runner: {}", current.message().uuid(), e.toString(), e);
      } finally {
        current.state().finished();
      }
      Thread.interrupted(); // every task starts un-interrupted
      next = finishAndTakeNext(current);
    }
  }

  /** The run is over: frees its slot, releases held duplicates, and picks this thread's next work. */
  private Work finishAndTakeNext(Work done) {
    List<Work> others;
    Work mine;
    lock.lock();
    try {
      running.remove(done);
      int slot = done.state().slot();
      if (slot >= 0) {
        busySlots.clear(slot);
        finishedBySlot[slot]++;
      }
      runningByTask.computeIfPresent(done.message().task(), (task, count) -> count > 1 ? count - 1 : null);
      Work.DuplicateKey key = done.duplicateKey();
      if (active.merge(key, -1, Integer::sum) <= 0) {
        active.remove(key);
        releaseHeld(key);
      }
      mine = takeEligible();
      others = fillSlots();
      updateIdle();
      if (running.isEmpty() && queue.isEmpty()) {
        quiet.signalAll();
      }
    } finally {
      lock.unlock();
    }
    others.forEach(this::start);
    return mine;
  }

  /** Under the lock: the oldest held duplicate of a key that has nothing running or queued. */
  private void releaseHeld(Work.DuplicateKey key) {
    ArrayDeque<Work> waiting = held.get(key);
    if (waiting == null) {
      return;
    }
    Work released = waiting.pollFirst();
    if (waiting.isEmpty()) {
      held.remove(key);
    }
    if (released != null) {
      heldCount--;
      waitingBytes -= released.message().memoryBytes(); // enqueue() counts it again
      enqueue(released);
      events.admitted(released, Admission.QUEUED);
    }
  }

  private void updateIdle() {
    boolean nowIdle = running.isEmpty() && queue.isEmpty() && heldCount == 0;
    if (nowIdle != idle) {
      idle = nowIdle;
      events.idleChanged(nowIdle);
    }
  }

  /**
   * Cancels what matches: running work is interrupted (it ends as cancelled), queued, held and
   * delayed work is removed. A null uuid or task name matches anything; both null match nothing.
   */
  public List<Located> cancel(String uuid, String taskName) {
    List<Located> cancelled = new ArrayList<>();
    if (uuid == null && taskName == null) {
      return cancelled;
    }
    lock.lock();
    try {
      // Held and delayed first: removing a queued duplicate releases held work into the queue,
      // which must not let held work that matches escape.
      for (Iterator<ArrayDeque<Work>> lists = held.values().iterator(); lists.hasNext(); ) {
        ArrayDeque<Work> waiting = lists.next();
        for (Iterator<Work> it = waiting.iterator(); it.hasNext(); ) {
          Work work = it.next();
          if (matches(work, uuid, taskName)) {
            it.remove();
            heldCount--;
            waitingBytes -= work.message().memoryBytes();
            cancelled.add(new Located(work, Place.HELD));
          }
        }
        if (waiting.isEmpty()) {
          lists.remove();
        }
      }
      for (Iterator<Map.Entry<Work, ScheduledFuture<?>>> it = delayed.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Work, ScheduledFuture<?>> entry = it.next();
        Work work = entry.getKey(); // read before remove(): an IdentityHashMap entry is dead after it
        if (matches(work, uuid, taskName)) {
          entry.getValue().cancel(false);
          it.remove();
          waitingBytes -= work.message().memoryBytes();
          cancelled.add(new Located(work, Place.DELAYED));
        }
      }
      for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
        Work work = it.next();
        if (matches(work, uuid, taskName)) {
          it.remove();
          waitingBytes -= work.message().memoryBytes();
          Work.DuplicateKey key = work.duplicateKey();
          if (active.merge(key, -1, Integer::sum) <= 0) {
            active.remove(key);
            releaseHeld(key);
          }
          cancelled.add(new Located(work, Place.QUEUED));
        }
      }
      for (Work work : running) {
        if (matches(work, uuid, taskName)) {
          work.state().cancel();
          cancelled.add(new Located(work, Place.RUNNING));
        }
      }
      updateIdle();
    } finally {
      lock.unlock();
    }
    cancelled.sort(java.util.Comparator.comparing(Located::place)); // running, queued, held, delayed
    return cancelled;
  }

  private static boolean matches(Work work, String uuid, String taskName) {
    return (uuid == null || uuid.equals(work.message().uuid())) && (taskName == null || taskName.equals(work.message().task()));
  }

  /** Everything the pool holds, by place, in order. */
  public List<Located> snapshot() {
    List<Located> all = new ArrayList<>();
    lock.lock();
    try {
      running.forEach(work -> all.add(new Located(work, Place.RUNNING)));
      queue.forEach(work -> all.add(new Located(work, Place.QUEUED)));
      held.values().forEach(waiting -> waiting.forEach(work -> all.add(new Located(work, Place.HELD))));
      delayed.keySet().forEach(work -> all.add(new Located(work, Place.DELAYED)));
    } finally {
      lock.unlock();
    }
    return all;
  }

  /** One worker slot: the work it runs (or null when free) and how many runs it finished. */
  public record Slot(int id, Work current, long finished) {}

  /** Every worker slot, 0 to max_workers - 1. */
  public List<Slot> slots() {
    lock.lock();
    try {
      Work[] current = new Work[maxWorkers];
      running.forEach(work -> {
        int slot = work.state().slot();
        if (slot >= 0 && slot < maxWorkers) {
          current[slot] = work;
        }
      });
      List<Slot> slots = new ArrayList<>(maxWorkers);
      for (int i = 0; i < maxWorkers; i++) {
        slots.add(new Slot(i, current[i], finishedBySlot[i]));
      }
      return slots;
    } finally {
      lock.unlock();
    }
  }

  public int running() {
    lock.lock();
    try {
      return running.size();
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
      return heldCount;
    } finally {
      lock.unlock();
    }
  }

  public int delayed() {
    lock.lock();
    try {
      return delayed.size();
    } finally {
      lock.unlock();
    }
  }

  public int maxWorkers() {
    return maxWorkers;
  }

  /** Estimated memory of queued, held and delayed work. */
  public long waitingBytes() {
    lock.lock();
    try {
      return waitingBytes;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops taking work and returns what will never run (queued, held, delayed), so the caller can
   * log it; running tasks get the grace period, then an interrupt and a little more time.
   */
  public List<Work> shutdown(Duration gracePeriod) {
    List<Work> abandoned = new ArrayList<>();
    List<Work> stillRunning;
    lock.lock();
    try {
      accepting = false;
      abandoned.addAll(queue);
      queue.clear();
      held.values().forEach(abandoned::addAll);
      held.clear();
      heldCount = 0;
      delayed.forEach((work, due) -> due.cancel(false));
      abandoned.addAll(delayed.keySet());
      delayed.clear();
      active.clear();
      waitingBytes = 0;
      if (running.isEmpty()) {
        quiet.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (!awaitQuiet(gracePeriod)) {
      lock.lock();
      try {
        stillRunning = new ArrayList<>(running);
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

  private boolean awaitQuiet(Duration timeout) {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (!running.isEmpty() || !queue.isEmpty()) {
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

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }

  /** For tests: waits until nothing runs or is queued. */
  public boolean awaitQuiet(long timeout, TimeUnit unit) {
    return awaitQuiet(Duration.ofNanos(unit.toNanos(timeout)));
  }
}
