package dev.dispatcher.service.pool;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-task concurrency limits ({@code @Task(maxConcurrency)}, 0 for none): how many runs of each
 * limited task are running. Work over its task's limit stays queued, in its place, while later work
 * of other tasks may start.
 *
 * <p>Not thread-safe: {@link WorkerPool} calls it under its lock, when it picks work for a slot and
 * when a run ends.
 */
final class TaskLimits {

  private final Map<String, Integer> running = new HashMap<>(); // limited tasks only

  /** Whether the work's task is under its limit. */
  boolean mayStart(Work work) {
    int limit = limit(work);
    return limit == 0 || running.getOrDefault(work.message().task(), 0) < limit;
  }

  void started(Work work) {
    if (limit(work) != 0) {
      running.merge(work.message().task(), 1, Integer::sum);
    }
  }

  void finished(Work work) {
    if (limit(work) != 0) {
      running.computeIfPresent(work.message().task(), (task, count) -> count > 1 ? count - 1 : null);
    }
  }

  private static int limit(Work work) {
    return work.task().definition().maxConcurrency();
  }
}
