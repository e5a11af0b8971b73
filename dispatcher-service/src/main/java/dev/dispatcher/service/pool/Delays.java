package dev.dispatcher.service.pool;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Delayed work: each waits on the timer (no polling loop), which hands it to {@code whenDue} when
 * its delay is over; it can be cancelled meanwhile, and is cancelled on shutdown.
 *
 * <p>Not thread-safe: {@link WorkerPool} calls it under its lock, and {@code whenDue} takes that
 * lock and asks {@link #due} first, so work cancelled while its timer fired is not admitted.
 */
final class Delays {

  private final ScheduledExecutorService timer;
  private final Consumer<Work> whenDue;
  // Work compares by identity: a plain map keyed by it keeps each submission apart, in arrival order.
  private final Map<Work, ScheduledFuture<?>> waiting = new LinkedHashMap<>();

  Delays(ScheduledExecutorService timer, Consumer<Work> whenDue) {
    this.timer = timer;
    this.whenDue = whenDue;
  }

  void add(Work work, long delayNanos) {
    waiting.put(work, timer.schedule(() -> whenDue.accept(work), delayNanos, TimeUnit.NANOSECONDS));
  }

  /** Its timer fired: true, and it is no longer delayed, unless it was cancelled or abandoned meanwhile. */
  boolean due(Work work) {
    return waiting.remove(work) != null;
  }

  /** Cancels the delayed work that matches and returns it, in arrival order. */
  List<Work> cancel(Predicate<Work> matches) {
    List<Work> cancelled = new ArrayList<>();
    for (Iterator<Map.Entry<Work, ScheduledFuture<?>>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Work, ScheduledFuture<?>> entry = it.next();
      if (matches.test(entry.getKey())) {
        entry.getValue().cancel(false);
        cancelled.add(entry.getKey());
        it.remove();
      }
    }
    return cancelled;
  }

  /** Cancels all of it (shutdown) and returns it, in arrival order. */
  List<Work> clear() {
    waiting.values().forEach(due -> due.cancel(false));
    List<Work> abandoned = new ArrayList<>(waiting.keySet());
    waiting.clear();
    return abandoned;
  }

  void forEach(Consumer<Work> action) {
    waiting.keySet().forEach(action);
  }

  int size() {
    return waiting.size();
  }
}
