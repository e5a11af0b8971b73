package dev.dispatcher.service.durable;

import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.storage.DurableTasks;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's leases: every {@code heartbeat_interval} it extends the lease of every durable
 * row the node holds (running or waiting in the pool, or with an outcome not written yet), in
 * statements of at most {@value #MAX_ROWS_PER_STATEMENT} rows, each its own short transaction, so
 * a large held set (outcomes piling up behind a slow writer) never times out as one statement and
 * loses every lease at once. A row the statements no longer find, and still do not find at the
 * next beat while this node still holds it, was rescued by another node after this one missed its
 * lease: it may run twice, which is logged.
 */
public final class Heartbeat implements Service {

  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);
  /** Rows whose leases one statement extends at most. */
  static final int MAX_ROWS_PER_STATEMENT = 5_000;
  private static final String QUERY_CANCELED = "57014";

  private final DurableTasks rows;
  private final WorkerPool pool;
  private final CompletionWriter writer;
  private final ScheduledExecutorService timer;
  private final Duration interval;
  private final Duration lease;
  private final String nodeId;
  private ScheduledFuture<?> beat;
  private boolean failing; // timer thread only
  /** Rows the last beat's statement did not find, though this node held them. Timer thread only. */
  private Set<Long> suspects = Set.of();
  /** Rows already reported as taken, while this node still holds them. Timer thread only. */
  private final Set<Long> reported = new HashSet<>();

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
    Set<Long> held = heldRowIds();
    if (held.isEmpty()) {
      suspects = Set.of();
      reported.clear();
      return;
    }
    List<Long> ids = new ArrayList<>(held);
    Collections.sort(ids);
    Set<Long> kept = new HashSet<>();
    Exception failure = null;
    int notExtended = 0;
    for (int from = 0; from < ids.size(); from += MAX_ROWS_PER_STATEMENT) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + MAX_ROWS_PER_STATEMENT));
      if (failure != null && !timedOut(failure)) {
        kept.addAll(chunk); // the database is out of reach: not lost, not extended; the next beat tells
        notExtended += chunk.size();
        continue;
      }
      try {
        kept.addAll(rows.extendLeasesOf(chunk, nodeId, lease));
      } catch (SQLException | RuntimeException e) {
        kept.addAll(chunk);
        notExtended += chunk.size();
        failure = e;
      }
    }
    // A row the statement does not find was either finished here, its outcome written between
    // heldRowIds() and the statement, or taken by another node. The first is common: a run stays
    // in the pool while it is reported, after its outcome went to the writer, and under load the
    // writer has written it by then. Counting every row not found, as this did, warned of rows that
    // "may run twice" on most beats of a burst that lost no lease (DurableClusterE2eTest: "28 of 32").
    // A finished row has left the pool and the writer by the next beat; one this node still holds
    // then and the statement still does not find was taken: it is reported then, once.
    Set<Long> missing = new HashSet<>(held);
    missing.removeAll(kept);
    Set<Long> taken = new HashSet<>(missing);
    taken.retainAll(suspects);
    taken.removeAll(reported);
    reported.retainAll(held);
    reported.addAll(taken);
    suspects = missing;
    if (!taken.isEmpty()) {
      log.warn("{} of {} durable row(s) of this node were no longer its own: their lease had expired and another node took them"
          + " (they may run twice)", taken.size(), held.size());
    }
    if (failure != null) {
      if (!failing) {
        log.warn("cannot extend the leases of {} of {} durable row(s): {}; they expire {} s after their last extension", notExtended,
            held.size(), UntrustedText.of(failure.getMessage(), 500), lease.toSeconds());
        failing = true;
      }
    } else if (failing) {
      log.info("durable leases are extended again");
      failing = false;
    }
  }

  /** A statement that ran out of time: the next chunk may still get through (unlike a database out of reach). */
  private static boolean timedOut(Exception failure) {
    return failure instanceof SQLException e && QUERY_CANCELED.equals(e.getSQLState());
  }

  /**
   * The rows this node holds: claimed work in the pool, then outcomes not written yet. In this
   * order, a run that ends meanwhile (it leaves the pool after its outcome reached the writer) is
   * seen in one or the other.
   */
  private Set<Long> heldRowIds() {
    Set<Long> held = new HashSet<>();
    pool.snapshot().forEach(located -> {
      if (located.work().claim() != null) {
        held.add(located.work().claim().rowId());
      }
    });
    held.addAll(writer.pendingRowIds());
    return held;
  }

  @Override
  public void stop() {
    if (beat != null) {
      beat.cancel(false);
    }
  }
}
