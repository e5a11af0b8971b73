package dev.dispatcher.service.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs at most {@code maxWorkers} tasks at once, each on its own virtual thread; the rest wait in
 * a FIFO queue. Any number of sources may submit. A finishing task hands its slot to the head of
 * the queue, so a saturated pool never idles between tasks.
 */
public final class WorkerPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

  private final int maxWorkers;
  private final Consumer<Work> runner;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final ArrayDeque<Work> queue = new ArrayDeque<>();
  private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
  private final Thread.Builder threads = Thread.ofVirtual().name("task-", 1);
  private int running;
  private boolean accepting = true;

  public WorkerPool(int maxWorkers, Consumer<Work> runner) {
    if (maxWorkers < 1) {
      throw new IllegalArgumentException("maxWorkers must be at least 1: " + maxWorkers);
    }
    this.maxWorkers = maxWorkers;
    this.runner = runner;
  }

  /** Starts the work now if a slot is free, else queues it. Returns false once the pool is closing. */
  public boolean submit(Work work) {
    lock.lock();
    try {
      if (!accepting) {
        return false;
      }
      if (running < maxWorkers) {
        running++;
      } else {
        queue.addLast(work);
        return true;
      }
    } finally {
      lock.unlock();
    }
    start(work);
    return true;
  }

  public int running() {
    lock.lock();
    try {
      return running;
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

  public int maxWorkers() {
    return maxWorkers;
  }

  private void start(Work work) {
    threads.start(() -> runChain(work));
  }

  /** Runs the work, then keeps this slot busy with queued work until the queue is empty. */
  private void runChain(Work first) {
    Thread self = Thread.currentThread();
    workers.add(self);
    try {
      Work next = first;
      while (next != null) {
        try {
          runner.accept(next);
        } catch (RuntimeException | Error e) {
          log.error("task {} escaped its runner: {}", next.message().uuid(), e.toString(), e);
        }
        Thread.interrupted(); // a slot starts every task un-interrupted
        next = takeNextOrRelease();
      }
    } finally {
      workers.remove(self);
    }
  }

  private Work takeNextOrRelease() {
    lock.lock();
    try {
      Work next = queue.pollFirst();
      if (next == null) {
        running--;
        if (running == 0) {
          idle.signalAll();
        }
      }
      return next;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops taking work, drops what is queued (returned, so the caller can log it), lets running
   * tasks finish within the grace period, then interrupts them and waits a little more.
   */
  public List<Work> shutdown(Duration gracePeriod) {
    List<Work> abandoned;
    lock.lock();
    try {
      accepting = false;
      abandoned = new ArrayList<>(queue);
      queue.clear();
    } finally {
      lock.unlock();
    }
    if (!awaitIdle(gracePeriod)) {
      log.warn("{} task(s) still running after the {} ms grace period: interrupting them", running(), gracePeriod.toMillis());
      workers.forEach(Thread::interrupt);
      if (!awaitIdle(Duration.ofSeconds(5))) {
        log.warn("{} task(s) ignored the interrupt; exiting without them", running());
      }
    }
    return abandoned;
  }

  private boolean awaitIdle(Duration timeout) {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (running > 0) {
        if (remaining <= 0) {
          return false;
        }
        remaining = idle.awaitNanos(remaining);
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
    return awaitIdle(Duration.ofNanos(unit.toNanos(timeout))) && queued() == 0;
  }
}
