package dev.dispatcher.service.durable;

import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.pool.DurableClaim;
import dev.dispatcher.service.pool.Progress;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.DurableTasks.ProgressUpdate;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes durable runs' progress reports to their rows, coalesced: a run's latest report replaces
 * the one still waiting, and every {@link #INTERVAL} whatever waits goes in one statement. So a task
 * reporting in a tight loop costs one map write per report and at most one row update a second. At
 * most one report per claimed row waits (a row is reported by its run only), so what waits is bounded
 * by the rows this node runs. Progress is a hint: a report that cannot be written is dropped (the
 * next one carries the news), logged once until writes work again.
 */
public final class ProgressWriter implements Service {

  static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(ProgressWriter.class);

  private final DurableTasks rows;
  private final ScheduledExecutorService timer;
  private final Map<Long, ProgressUpdate> waiting = new ConcurrentHashMap<>();
  private ScheduledFuture<?> writing;
  private boolean failing; // timer thread only

  /** @param timer a thread of its own: a write waits for the database */
  public ProgressWriter(DurableTasks rows, ScheduledExecutorService timer) {
    this.rows = rows;
    this.timer = timer;
  }

  @Override
  public String name() {
    return "durable progress writer";
  }

  @Override
  public void start() {
    writing = timer.scheduleWithFixedDelay(this::write, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Takes a run's report; never blocks. */
  public void report(DurableClaim claim, Progress progress) {
    waiting.put(claim.rowId(), new ProgressUpdate(claim.rowId(), claim.attempt(), progress.fraction(), progress.note()));
  }

  /** Writes what waits; a report that comes in meanwhile stays for the next round. */
  void write() {
    if (waiting.isEmpty()) {
      return;
    }
    List<ProgressUpdate> batch = new ArrayList<>(waiting.size());
    for (Map.Entry<Long, ProgressUpdate> entry : waiting.entrySet()) {
      if (waiting.remove(entry.getKey(), entry.getValue())) {
        batch.add(entry.getValue());
      }
    }
    try {
      rows.writeProgress(batch);
      if (failing) {
        log.info("durable progress is written again");
        failing = false;
      }
    } catch (SQLException | RuntimeException e) {
      if (!failing) {
        log.warn("cannot write the progress of {} durable run(s): {}; dropped, the next reports are tried every {} ms", batch.size(),
            UntrustedText.of(e.getMessage(), 500), INTERVAL.toMillis());
        failing = true;
      }
    }
  }

  /** Writes what waits once more, then stops. */
  @Override
  public void stop() {
    if (writing != null) {
      writing.cancel(false);
    }
    write();
  }
}
