package dev.dispatcher.service.durable;

import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.storage.DurableTasks;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's leases: every {@code heartbeat_interval} one statement extends the lease of
 * every durable row the node holds (running or waiting in the pool, or with an outcome not written
 * yet). A row the statement no longer finds was rescued by another node after this one missed its
 * lease: it may run twice, which is logged.
 */
public final class Heartbeat implements Service {

  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final DurableTasks rows;
  private final WorkerPool pool;
  private final CompletionWriter writer;
  private final ScheduledExecutorService timer;
  private final Duration interval;
  private final Duration lease;
  private final String nodeId;
  private ScheduledFuture<?> beat;
  private boolean failing; // timer thread only

  public Heartbeat(DurableTasks rows, WorkerPool pool, CompletionWriter writer, ScheduledExecutorService timer,
      Duration interval, Duration lease, String nodeId) {
    this.rows = rows;
    this.pool = pool;
    this.writer = writer;
    this.timer = timer;
    this.interval = interval;
    this.lease = lease;
    this.nodeId = nodeId;
  }

  @Override
  public String name() {
    return "durable heartbeat";
  }

  @Override
  public void start() {
    beat = timer.scheduleWithFixedDelay(this::beat, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** One extension of every lease this node holds. */
  void beat() {
    Set<Long> held = new HashSet<>(writer.pendingRowIds());
    pool.snapshot().forEach(located -> {
      if (located.work().claim() != null) {
        held.add(located.work().claim().rowId());
      }
    });
    if (held.isEmpty()) {
      return;
    }
    try {
      int kept = rows.extendLeases(held, nodeId, lease);
      if (kept < held.size()) {
        log.warn("{} of {} durable row(s) of this node were no longer its own: their lease had expired and another node took them"
            + " (they may run twice)", held.size() - kept, held.size());
      }
      if (failing) {
        log.info("durable leases are extended again");
        failing = false;
      }
    } catch (SQLException | RuntimeException e) {
      if (!failing) {
        log.warn("cannot extend the leases of {} durable row(s): {}; they expire {} s after the last extension", held.size(),
            UntrustedText.of(e.getMessage(), 500), lease.toSeconds());
        failing = true;
      }
    }
  }

  @Override
  public void stop() {
    if (beat != null) {
      beat.cancel(false);
    }
  }
}
