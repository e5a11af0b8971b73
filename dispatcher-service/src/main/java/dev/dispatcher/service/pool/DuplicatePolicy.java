package dev.dispatcher.service.pool;

import dev.dispatcher.OnDuplicate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * on_duplicate. Duplicates share task, args and kwargs ({@link DuplicateKey}). Per key it counts the
 * <em>active</em> work, queued or running, whatever its own policy (a serial submission waits for a
 * parallel duplicate too), and holds work back in arrival order:
 *
 * <ul>
 *   <li>{@code parallel} is always admitted;
 *   <li>{@code discard} is dropped while a duplicate is active or held;
 *   <li>{@code serial} is held while a duplicate is active or held, and released one at a time, in
 *       arrival order, each when no duplicate is active any more;
 *   <li>{@code queue_one} is held like serial, but only one per key: the rest are dropped.
 * </ul>
 *
 * <p>Not thread-safe: {@link WorkerPool} calls it under its lock, together with the queue and the
 * slots whose contents the counts describe.
 */
final class DuplicatePolicy {

  /** What to do with new work. */
  enum Decision {
    /** Queue it (then report it with {@link #queued}). */
    ADMIT,
    /** It is held now, behind its duplicate. */
    HOLD,
    /** Drop it. */
    DROP
  }

  private final Map<DuplicateKey, ArrayDeque<Work>> held = new LinkedHashMap<>();
  private final Map<DuplicateKey, Integer> active = new HashMap<>(); // queued + running, per key
  private int heldCount;

  /** Decides on new work; holds it when the decision is {@link Decision#HOLD}. */
  Decision decide(Work work) {
    OnDuplicate policy = work.onDuplicate();
    if (policy == OnDuplicate.PARALLEL) {
      return Decision.ADMIT;
    }
    DuplicateKey key = work.duplicateKey();
    boolean duplicateActive = active.getOrDefault(key, 0) > 0;
    ArrayDeque<Work> waiting = held.get(key);
    boolean duplicateHeld = waiting != null && !waiting.isEmpty();
    if (!duplicateActive && !duplicateHeld) {
      return Decision.ADMIT;
    }
    if (policy == OnDuplicate.DISCARD || policy == OnDuplicate.QUEUE_ONE && duplicateHeld) {
      return Decision.DROP;
    }
    held.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(work); // serial, or queue_one's one
    heldCount++;
    return Decision.HOLD;
  }

  /** Work entered the queue: it is active until {@link #left}. */
  void queued(Work work) {
    active.merge(work.duplicateKey(), 1, Integer::sum);
  }

  /**
   * Active work is gone: its run ended, or it was cancelled from the queue. When no duplicate is
   * active any more, the oldest held one is released: it counts as queued from now on and is
   * returned for the caller to queue. Otherwise null.
   */
  Work left(Work work) {
    DuplicateKey key = work.duplicateKey();
    if (active.merge(key, -1, Integer::sum) > 0) {
      return null;
    }
    active.remove(key);
    ArrayDeque<Work> waiting = held.get(key);
    if (waiting == null) {
      return null;
    }
    Work released = waiting.pollFirst();
    if (waiting.isEmpty()) {
      held.remove(key);
    }
    if (released != null) {
      heldCount--;
      queued(released);
    }
    return released;
  }

  /**
   * Takes back work just {@link #queued} and refused after all (a bound): it releases nothing, as
   * nothing can be held behind work that was only now admitted without a duplicate in the way
   * (or, for parallel work, behind the active duplicates still counted).
   */
  void unqueue(Work work) {
    DuplicateKey key = work.duplicateKey();
    if (active.merge(key, -1, Integer::sum) <= 0) {
      active.remove(key);
    }
  }

  /** Takes back work just held and refused after all (a bound). */
  void unhold(Work work) {
    DuplicateKey key = work.duplicateKey();
    ArrayDeque<Work> waiting = held.get(key);
    if (waiting != null && waiting.removeLastOccurrence(work)) {
      heldCount--;
      if (waiting.isEmpty()) {
        held.remove(key);
      }
    }
  }

  /** Removes the held work that matches and returns it, in the order of {@link #forEachHeld}. */
  List<Work> cancelHeld(Predicate<Work> matches) {
    List<Work> cancelled = new ArrayList<>();
    for (Iterator<ArrayDeque<Work>> lists = held.values().iterator(); lists.hasNext(); ) {
      ArrayDeque<Work> waiting = lists.next();
      for (Iterator<Work> it = waiting.iterator(); it.hasNext(); ) {
        Work work = it.next();
        if (matches.test(work)) {
          it.remove();
          heldCount--;
          cancelled.add(work);
        }
      }
      if (waiting.isEmpty()) {
        lists.remove();
      }
    }
    return cancelled;
  }

  /** Held work, key by key in the order keys were first held, each key's in arrival order. */
  void forEachHeld(Consumer<Work> action) {
    held.values().forEach(waiting -> waiting.forEach(action));
  }

  int held() {
    return heldCount;
  }

  /** Forgets all counts and held work (shutdown); returns the held work in {@link #forEachHeld} order. */
  List<Work> clear() {
    List<Work> abandoned = new ArrayList<>(heldCount);
    forEachHeld(abandoned::add);
    held.clear();
    active.clear();
    heldCount = 0;
    return abandoned;
  }
}
