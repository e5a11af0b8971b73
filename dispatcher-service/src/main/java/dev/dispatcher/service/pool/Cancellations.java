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

  /** Where durable work lives besides the pool: the table's rows not claimed yet, and the outcome of claimed work the pool drops. */
  public interface DurableRows {
    DurableRows NONE = new DurableRows() {
      @Override
      public void cancelledBeforeStart(Work work) {}

      @Override
      public List<String> cancelWaiting(TaskFilter filter) {
        return List.of();
      }
    };

    /** Claimed work cancelled while it waited in the pool: its row is cancelled too. */
    void cancelledBeforeStart(Work work);

    /** Cancels the rows no node has claimed yet that the filter means; returns their uuids. */
    List<String> cancelWaiting(TaskFilter filter);
  }

  private final WorkerPool pool;
  private final DispatcherEvents events;
  private final DurableRows durable;

  public Cancellations(WorkerPool pool, DispatcherEvents events) {
    this(pool, events, DurableRows.NONE);
  }

  public Cancellations(WorkerPool pool, DispatcherEvents events, DurableRows durable) {
    this.pool = pool;
    this.events = events;
    this.durable = durable;
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
        if (located.work().claim() != null) {
          durable.cancelledBeforeStart(located.work());
        }
      }
      log.info("cancelled task {} {} ({})", UntrustedText.of(located.work().message().uuid()), located.work().message().task(),
          located.place().name().toLowerCase(Locale.ROOT));
    }
    if (!filter.isEmpty()) {
      for (String uuid : durable.cancelWaiting(filter)) {
        log.info("cancelled durable task {} (not claimed yet)", UntrustedText.of(uuid));
      }
    }
    return cancelled;
  }
}
