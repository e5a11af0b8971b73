package dev.dispatcher.service.pool;

import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.TaskFilter;
import dev.dispatcher.service.metrics.DispatcherEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels this daemon's work matching a {@link TaskFilter} (running tasks are interrupted; queued,
 * held and delayed ones removed), and the durable rows no node has claimed yet, logging each with
 * its uuid and counting the ones that never ran. Used by the {@code cancel} control command and by
 * bound tasks' {@code context.cancel}.
 */
public final class Cancellations {

  private static final Logger log = LoggerFactory.getLogger(Cancellations.class);
  /**
   * Durable rows listed (and logged one by one) per cancel at most; the others are cancelled all the
   * same, counted and logged in one line. A cancel by task name may match a whole backlog.
   */
  public static final int MAX_LISTED_ROWS = 10_000;

  /** A durable row cancelled in the table before any node claimed it. */
  public record CancelledRow(String uuid, String task, String channel) {}

  /**
   * What a cancel did.
   *
   * @param work this daemon's work it cancelled
   * @param rows the first of the durable rows no node had claimed yet that it cancelled
   * @param rowsCancelled how many such rows it cancelled
   */
  public record Result(List<WorkerPool.Located> work, List<CancelledRow> rows, long rowsCancelled) {
    public static Result ofWork(List<WorkerPool.Located> work) {
      return new Result(work, List.of(), 0);
    }

    public Result {
      work = List.copyOf(work);
      rows = List.copyOf(rows);
    }

    /** The uuids of all it cancelled that it lists: the work's, then the rows'. */
    public List<String> uuids() {
      List<String> uuids = new ArrayList<>(work.size() + rows.size());
      work.forEach(located -> uuids.add(located.work().message().uuid()));
      rows.forEach(row -> uuids.add(row.uuid()));
      return uuids;
    }
  }

  /** Durable rows not claimed yet that a cancel cancelled: how many, and the first of them. */
  public record WaitingRows(long count, List<CancelledRow> listed) {
    public static final WaitingRows NONE = new WaitingRows(0, List.of());
  }

  /** Where durable work lives besides the pool: the table's rows not claimed yet, and the outcome of claimed work the pool drops. */
  public interface DurableRows {
    DurableRows NONE = new DurableRows() {
      @Override
      public void cancelledBeforeStart(Work work) {}

      @Override
      public WaitingRows cancelWaiting(TaskFilter filter, int maxListed) {
        return WaitingRows.NONE;
      }
    };

    /** Claimed work cancelled while it waited in the pool: its row is cancelled too. */
    void cancelledBeforeStart(Work work);

    /** Cancels the rows no node has claimed yet that the filter means; returns how many, listing at most {@code maxListed}. */
    WaitingRows cancelWaiting(TaskFilter filter, int maxListed);
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

  public Result cancel(String uuid, String taskName) {
    return cancel(TaskFilter.byUuidAndTask(uuid, taskName));
  }

  /** Cancels what the filter matches (an empty filter: nothing). */
  public Result cancel(TaskFilter filter) {
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
    WaitingRows waiting = filter.isEmpty() ? WaitingRows.NONE : durable.cancelWaiting(filter, MAX_LISTED_ROWS);
    for (CancelledRow row : waiting.listed()) {
      log.info("cancelled durable task {} (not claimed yet)", UntrustedText.of(row.uuid()));
    }
    if (waiting.count() > waiting.listed().size()) {
      log.info("cancelled {} more durable task(s) not claimed yet, not listed one by one", waiting.count() - waiting.listed().size());
    }
    return new Result(cancelled, waiting.listed(), waiting.count());
  }
}
