package dev.dispatcher.service.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timer that runs nothing by itself: it records what was scheduled with which delay, and the
 * test runs the entries when it likes (after setting its clock), so no test sleeps.
 */
public final class FakeTimer extends AbstractExecutorService implements ScheduledExecutorService {

  /** One scheduled entry. */
  public static final class Entry implements ScheduledFuture<Object> {
    public final Runnable task;
    public final long delayNanos;
    public final long periodNanos; // 0 for one-shot
    boolean cancelled;
    boolean ran;

    Entry(Runnable task, long delayNanos, long periodNanos) {
      this.task = task;
      this.delayNanos = delayNanos;
      this.periodNanos = periodNanos;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(delayNanos, other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled || ran;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** One-shot entries not yet run nor cancelled, in scheduling order. */
  public synchronized List<Entry> pending() {
    return entries.stream().filter(e -> e.periodNanos == 0 && !e.ran && !e.cancelled).toList();
  }

  /** Periodic entries not cancelled. */
  public synchronized List<Entry> periodic() {
    return entries.stream().filter(e -> e.periodNanos != 0 && !e.cancelled).toList();
  }

  /** The only pending one-shot entry (each schedule has exactly one at a time). */
  public Entry single() {
    List<Entry> pending = pending();
    if (pending.size() != 1) {
      throw new AssertionError("expected one pending timer entry, found " + pending.size());
    }
    return pending.get(0);
  }

  /** Runs a one-shot entry, as the timer would when its delay is over. */
  public void run(Entry entry) {
    synchronized (this) {
      if (entry.ran || entry.cancelled) {
        throw new AssertionError("entry already ran or was cancelled");
      }
      entry.ran = true;
    }
    entry.task.run();
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Entry entry = new Entry(command, unit.toNanos(delay), 0);
    entries.add(entry);
    return entry;
  }

  @Override
  public synchronized ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    Entry entry = new Entry(command, unit.toNanos(initialDelay), unit.toNanos(delay));
    entries.add(entry);
    return entry;
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("schedules must compute each next tick, not use a fixed rate");
  }

  @Override
  public void execute(Runnable command) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void shutdown() {}

  @Override
  public List<Runnable> shutdownNow() {
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }
}
