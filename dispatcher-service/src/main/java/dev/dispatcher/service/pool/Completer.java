package dev.dispatcher.service.pool;

import dev.dispatcher.service.hooks.TaskRun;
import java.time.Duration;

/**
 * Receives every run's outcome, on the run's own thread, right after the method returned. The
 * fire-and-forget mode logs, counts, calls the hooks and submits callbacks or errbacks; the
 * durable mode will also record the outcome in the task table. Must not throw.
 */
@FunctionalInterface
public interface Completer {

  /**
   * @param run the run as hooks saw it start (its {@code startedAt} is the wall-clock start)
   * @param duration how long the method ran
   */
  void completed(Work work, TaskRun run, Outcome outcome, Duration duration);
}
