package dev.dispatcher.service.durable;

import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.storage.DurableTasks;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable table's upkeep, on every node (each step is safe to run on many at once):
 *
 * <ul>
 *   <li>rescue, every {@code rescue_interval}: rows whose lease ran out (their node was killed, cut
 *       off or stuck) go back to retryable, or to failed on their last attempt, one line each;
 *   <li>cleanup, every {@code cleanup_interval}: finished rows past their retention are deleted in
 *       batches, and when the table's dead rows pass {@code vacuum_dead_rows} it is vacuumed (and
 *       analyzed): the daemon bounds its own bloat, whether autovacuum runs or not; the rows by state
 *       are counted for the metrics and control replies.
 * </ul>
 */
public final class Maintenance implements Service {

  private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
  static final int BATCH = 1000;
  /** Batches per round at most: a huge backlog of finished rows is worked off over rounds, never in one long stall. */
  static final int MAX_BATCHES = 50;

  private final DurableTasks rows;
  private final ScheduledExecutorService timer;
  private final DispatcherConfig.Durable settings;
  private final DispatcherEvents events;
  private final AtomicReference<Map<String, Long>> byState = new AtomicReference<>(Map.of());
  private ScheduledFuture<?> rescue;
  private ScheduledFuture<?> cleanup;
  private boolean failing; // timer thread only

  public Maintenance(DurableTasks rows, ScheduledExecutorService timer, DispatcherConfig.Durable settings, DispatcherEvents events) {
    this.rows = rows;
    this.timer = timer;
    this.settings = settings;
    this.events = events;
  }

  @Override
  public String name() {
    return "durable maintenance";
  }

  @Override
  public void start() {
    long rescueNanos = settings.rescueInterval().toNanos();
    long cleanupNanos = settings.cleanupInterval().toNanos();
    rescue = timer.scheduleWithFixedDelay(this::rescue, 0, rescueNanos, TimeUnit.NANOSECONDS); // at start: recovery of rows a crash left
    cleanup = timer.scheduleWithFixedDelay(this::cleanup, cleanupNanos, cleanupNanos, TimeUnit.NANOSECONDS);
  }

  /** The durable rows by state, as last counted (empty before the first count). */
  public Map<String, Long> rowsByState() {
    return byState.get();
  }

  void rescue() {
    try {
      for (int batch = 0; batch < MAX_BATCHES; batch++) {
        List<DurableTasks.Rescued> rescued = rows.rescueExpired(BATCH);
        if (!rescued.isEmpty()) {
          events.durableLeasesExpired(rescued.size());
        }
        for (DurableTasks.Rescued row : rescued) {
          log.warn("durable task {} {}: its lease on node {} expired during attempt {}; {}", row.uuid(), UntrustedText.of(row.task()),
              UntrustedText.of(row.node()), row.attempt(), row.failed() ? "failed for good (no attempt left)" : "it runs again");
        }
        if (rescued.size() < BATCH) {
          break;
        }
      }
      reachable();
    } catch (SQLException | RuntimeException e) {
      unreachable("rescue expired leases", e);
    }
  }

  void cleanup() {
    try {
      int deleted = 0;
      for (int batch = 0; batch < MAX_BATCHES; batch++) {
        int gone = rows.deleteFinished(settings.completedRetention(), settings.failedRetention(), BATCH);
        deleted += gone;
        if (gone < BATCH) {
          break;
        }
      }
      if (deleted > 0) {
        log.debug("durable cleanup: {} finished row(s) past their retention deleted", deleted);
      }
      long dead = rows.deadRows();
      if (dead > settings.vacuumDeadRows()) {
        long started = System.nanoTime();
        rows.vacuum();
        log.info("durable cleanup: vacuumed the task table ({} dead rows) in {} ms", dead, (System.nanoTime() - started) / 1_000_000);
      }
      byState.set(rows.countByState());
      reachable();
    } catch (SQLException | RuntimeException e) {
      unreachable("clean up finished rows", e);
    }
  }

  private void reachable() {
    if (failing) {
      log.info("durable maintenance reaches the database again");
      failing = false;
    }
  }

  private void unreachable(String what, Exception e) {
    if (!failing) {
      log.warn("durable maintenance cannot {}: {}; trying again at its next round", what, UntrustedText.of(e.getMessage(), 500));
      failing = true;
    }
  }

  @Override
  public void stop() {
    if (rescue != null) {
      rescue.cancel(false);
      cleanup.cancel(false);
    }
  }
}
