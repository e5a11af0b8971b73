package dev.dispatcher.service.durable;

import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.storage.DurableTasks;
import java.sql.SQLException;
import java.time.Duration;
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
 *   <li>cleanup, at start and every {@code cleanup_interval}: finished rows past their retention are deleted in
 *       batches, and when the table's dead rows pass {@code vacuum_dead_rows} it is vacuumed (and
 *       analyzed): the daemon bounds its own bloat, whether autovacuum runs or not; the rows by state
 *       are counted for the metrics and control replies. A round that ends with rows still due
 *       (it deleted its maximum) is followed by the next one after a short pause instead of a whole
 *       interval, so cleanup keeps up with any rate the daemons finish rows at (a fixed interval
 *       capped it at 50,000 rows per 30 s while a sustained run finished 8,500 a second).
 * </ul>
 */
public final class Maintenance implements Service {

  private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
  static final int BATCH = 1000;
  /** Batches per round at most: a huge backlog of finished rows is worked off over rounds, never in one long stall. */
  static final int MAX_BATCHES = 50;
  /** Pause between cleanup rounds while finished rows past their retention are left: other statements get the table in between. */
  static final Duration CATCH_UP_PAUSE = Duration.ofMillis(200);

  private final DurableTasks rows;
  private final ScheduledExecutorService timer;
  private final DispatcherConfig.Durable settings;
  private final DispatcherEvents events;
  private final AtomicReference<Map<String, Long>> byState = new AtomicReference<>(Map.of());
  private final int batch;
  private final int maxBatches;
  private ScheduledFuture<?> rescue;
  private final AtomicReference<ScheduledFuture<?>> nextCleanup = new AtomicReference<>();
  private volatile boolean stopped;
  private boolean failing; // timer thread only

  public Maintenance(DurableTasks rows, ScheduledExecutorService timer, DispatcherConfig.Durable settings, DispatcherEvents events) {
    this(rows, timer, settings, events, BATCH, MAX_BATCHES);
  }

  /** With other batch sizes: tests use small ones. */
  Maintenance(DurableTasks rows, ScheduledExecutorService timer, DispatcherConfig.Durable settings, DispatcherEvents events, int batch,
      int maxBatches) {
    this.rows = rows;
    this.timer = timer;
    this.settings = settings;
    this.events = events;
    this.batch = batch;
    this.maxBatches = maxBatches;
  }

  @Override
  public String name() {
    return "durable maintenance";
  }

  @Override
  public void start() {
    long rescueNanos = settings.rescueInterval().toNanos();
    rescue = timer.scheduleWithFixedDelay(this::rescue, 0, rescueNanos, TimeUnit.NANOSECONDS); // at start: recovery of rows a crash left
    scheduleCleanup(Duration.ZERO); // at start: rows that came due while no daemon ran, and the first counts by state
  }

  private void scheduleCleanup(Duration delay) {
    if (stopped) {
      return;
    }
    ScheduledFuture<?> next = timer.schedule(this::cleanupRound, delay.toNanos(), TimeUnit.NANOSECONDS);
    nextCleanup.set(next);
    if (stopped) { // stop() ran meanwhile and may have cancelled the round before this one
      next.cancel(false);
    }
  }

  private void cleanupRound() {
    boolean backlog = cleanup();
    scheduleCleanup(backlog ? CATCH_UP_PAUSE : settings.cleanupInterval());
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

  /** One cleanup round; true when it stopped at its maximum with rows possibly still due. */
  boolean cleanup() {
    boolean backlog = false;
    try {
      int deleted = 0;
      for (int round = 0; round < maxBatches; round++) {
        int gone = rows.deleteFinished(settings.completedRetention(), settings.failedRetention(), batch);
        deleted += gone;
        backlog = gone == batch;
        if (!backlog) {
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
      return false;
    }
    return backlog;
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
    stopped = true;
    if (rescue != null) {
      rescue.cancel(false);
    }
    ScheduledFuture<?> cleanup = nextCleanup.get();
    if (cleanup != null) {
      cleanup.cancel(false);
    }
  }
}
