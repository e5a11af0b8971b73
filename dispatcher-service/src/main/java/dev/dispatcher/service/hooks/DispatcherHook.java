package dev.dispatcher.service.hooks;

/**
 * Observes the daemon's life and every task run. Configure implementations by class name under
 * {@code hooks:}; each needs a no-argument constructor. Hooks run on the thread of the event
 * (a task's own virtual thread for {@code beforeTask}/{@code afterTask}); an exception thrown by a
 * hook is logged and ignored.
 *
 * <pre>{@code
 * public final class SlowTaskAlarm implements DispatcherHook {
 *   public void afterTask(TaskRun run, TaskOutcome outcome) {
 *     if (outcome.duration().toSeconds() > 10) alert(run.uuid());
 *   }
 * }
 * }</pre>
 */
public interface DispatcherHook {

  /** The daemon is listening. */
  default void onStart(DispatcherInfo info) throws Exception {}

  /** A task is about to run on its worker thread. */
  default void beforeTask(TaskRun run) throws Exception {}

  /** A task finished, whatever the outcome. */
  default void afterTask(TaskRun run, TaskOutcome outcome) throws Exception {}

  /** Nothing has run, waited or been held for the configured {@code pool.idle_after}; once per idle spell. */
  default void onIdle() throws Exception {}

  /** The daemon stopped running tasks and is about to exit. */
  default void onShutdown() throws Exception {}
}
