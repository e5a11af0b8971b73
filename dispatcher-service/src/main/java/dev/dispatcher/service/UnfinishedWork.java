package dev.dispatcher.service;

import dev.dispatcher.service.intake.Backlog;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.pool.WorkerPool;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the daemon still holds, for the one line a stop that cannot wait (a second signal) logs
 * before the process ends: how many tasks run, queue, are held or delayed, the uuids of the first
 * {@link #MAX_LISTED}, and how many messages were received but not dispatched. Bounded whatever
 * the daemon holds. Reads the pool under its lock: callers that must not wait bound the call.
 */
final class UnfinishedWork {

  /** Uuids named in the line; the rest are counted. */
  static final int MAX_LISTED = 20;

  private final WorkerPool pool;
  private final Backlog backlog;

  UnfinishedWork(WorkerPool pool, Backlog backlog) {
    this.pool = pool;
    this.backlog = backlog;
  }

  String describe() {
    List<WorkerPool.Located> work = pool.snapshot();
    Map<WorkerPool.Place, Integer> byPlace = new EnumMap<>(WorkerPool.Place.class);
    StringBuilder listed = new StringBuilder();
    for (int i = 0; i < work.size(); i++) {
      WorkerPool.Located located = work.get(i);
      byPlace.merge(located.place(), 1, Integer::sum);
      if (i < MAX_LISTED) {
        listed.append(i == 0 ? "" : ", ").append(UntrustedText.of(located.work().message().uuid())).append(' ')
            .append(located.work().message().task()).append(" (").append(located.place().name().toLowerCase(Locale.ROOT)).append(')');
      }
    }
    StringBuilder line = new StringBuilder();
    line.append(work.size()).append(" task(s)");
    if (!work.isEmpty()) {
      line.append(' ').append(counts(byPlace)).append(": ").append(listed);
      if (work.size() > MAX_LISTED) {
        line.append(" and ").append(work.size() - MAX_LISTED).append(" more");
      }
    }
    line.append("; ").append(backlog.size()).append(" message(s) received and not dispatched");
    return line.toString();
  }

  private static String counts(Map<WorkerPool.Place, Integer> byPlace) {
    StringBuilder text = new StringBuilder("(");
    for (Map.Entry<WorkerPool.Place, Integer> entry : byPlace.entrySet()) {
      text.append(text.length() == 1 ? "" : ", ").append(entry.getValue()).append(' ')
          .append(entry.getKey().name().toLowerCase(Locale.ROOT));
    }
    return text.append(')').toString();
  }
}
