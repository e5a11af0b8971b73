package dev.dispatcher.service.pool;

import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.TaskFilter;
import dev.dispatcher.service.metrics.DispatcherEvents;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels this daemon's work matching a {@link TaskFilter} (running tasks are interrupted; queued,
 * held and delayed ones removed), logging each with its uuid and counting the ones that never ran. Used by the {@code cancel} control command and by bound tasks' {@code context.cancel}.
 */
public final class Cancellations {

  private static final Logger log = LoggerFactory.getLogger(Cancellations.class);

  private final WorkerPool pool;
  private final DispatcherEvents events;

  public Cancellations(WorkerPool pool, DispatcherEvents events) {
    this.pool = pool;
    this.events = events;
  }

  public List<WorkerPool.Located> cancel(String uuid, String taskName) {
    return cancel(TaskFilter.byUuidAndTask(uuid, taskName));
  }

  /** Cancels what the filter matches (an empty filter: nothing). */
  public List<WorkerPool.Located> cancel(TaskFilter filter) {
    List<WorkerPool.Located> cancelled = pool.cancel(filter);
    for (WorkerPool.Located located : cancelled) {
      if (located.place() != WorkerPool.Place.RUNNING) {
        events.cancelledBeforeStart(located.work().message().task()); // a running one is counted when it ends as cancelled
      }
      log.info("cancelled task {} {} ({})", UntrustedText.of(located.work().message().uuid()), located.work().message().task(),
          located.place().name().toLowerCase(Locale.ROOT));
    }
    return cancelled;
  }
}
