package dev.dispatcher.service.durable;

import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.DurableTasks.CommitState;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.service.storage.UnconfirmedCommitException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes durable outcomes to the table in batches: whatever waits when the writer is free goes in
 * one transaction (up to {@value #MAX_BATCH} rows), so a stream of short tasks costs a statement
 * per batch, not per task, and a lone task's outcome is written at once. A batch the database
 * refuses waits and is written again (outcomes are never dropped while the daemon runs; the rows'
 * leases are kept by the heartbeat meanwhile, see {@link #pendingRowIds}). A batch whose COMMIT
 * went unanswered (the connection broke during it) is not written again blindly: its transaction's
 * state is looked up, and a committed one counts as written. At stop it writes what
 * is left, within {@code flushTimeout}; rows it could not write return to the queue when their
 * lease expires and run again.
 */
public final class CompletionWriter implements Service {

  private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);
  static final int MAX_BATCH = 1000;
  /** Outcomes waiting at most; a run ending while it is full waits for room (its thread is a virtual one). */
  static final int CAPACITY = 100_000;
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
  /**
   * How often the state of a transaction whose COMMIT went unanswered is looked up while it is still
   * in progress: a poll, because Postgres sends nothing when another session's transaction ends. It
   * is rare (only after a connection broke during COMMIT) and bounded by the flush timeout at stop;
   * the broken session's transaction ends within moments, when its backend sees the socket gone.
   */
  private static final Duration CONFIRM_POLL = Duration.ofMillis(100);

  private final DurableTasks rows;
  private final DispatcherEvents events;
  private final Duration flushTimeout;
  private final LinkedBlockingQueue<Completion> waiting = new LinkedBlockingQueue<>(CAPACITY);
  private final Object inFlightLock = new Object();
  private List<Completion> inFlight = List.of(); // guarded by inFlightLock
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long stopStartedNanos;
  private final List<Completion> abandoned = new ArrayList<>(); // guarded by inFlightLock
  private boolean failing; // writer thread only
  private final List<Runnable> writtenListeners = new CopyOnWriteArrayList<>();

  public CompletionWriter(DurableTasks rows, DispatcherEvents events, Duration flushTimeout) {
    this.rows = rows;
    this.events = events;
    this.flushTimeout = flushTimeout;
    this.thread = Thread.ofPlatform().name("dispatcher-completer").daemon(true).unstarted(this::loop);
  }

  @Override
  public String name() {
    return "durable completion writer";
  }

  @Override
  public void start() {
    thread.start();
  }

  /** Runs {@code listener} on the writer's thread after each batch written (it must not block). */
  public void onWritten(Runnable listener) {
    writtenListeners.add(listener);
  }

  /** Takes an outcome to write; waits while {@value #CAPACITY} are waiting already. */
  public void accept(Completion completion) {
    try {
      waiting.put(completion);
    } catch (InterruptedException e) {
      // a run interrupted while the writer is full: keep the outcome all the same, then the interrupt
      while (!waiting.offer(completion)) {
        Thread.onSpinWait();
      }
      Thread.currentThread().interrupt();
    }
  }

  /** Outcomes not written yet: waiting, and in the batch being written. */
  public int pending() {
    int inFlightNow;
    synchronized (inFlightLock) {
      inFlightNow = inFlight.size();
    }
    return waiting.size() + inFlightNow;
  }

  /** Rows whose outcome is not written yet: their leases must be kept until it is. */
  public Set<Long> pendingRowIds() {
    Set<Long> ids = new HashSet<>();
    synchronized (inFlightLock) {
      inFlight.forEach(completion -> addRowId(ids, completion));
      abandoned.forEach(completion -> addRowId(ids, completion));
    }
    waiting.forEach(completion -> addRowId(ids, completion));
    return ids;
  }

  /** A recorded fire-and-forget run has no row yet, so no lease to keep. */
  private static void addRowId(Set<Long> ids, Completion completion) {
    if (!(completion instanceof Completion.Recorded)) {
      ids.add(completion.id());
    }
  }

  private void loop() {
    List<Completion> batch = new ArrayList<>(MAX_BATCH);
    while (running || !waiting.isEmpty()) {
      try {
        Completion first = waiting.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        waiting.drainTo(batch, MAX_BATCH - 1);
        setInFlight(batch);
        writeUntilDone(batch);
        setInFlight(List.of());
        writtenListeners.forEach(Runnable::run);
      } catch (InterruptedException e) {
        synchronized (inFlightLock) {
          abandoned.addAll(batch); // stopping, and the database did not take them in time
          waiting.drainTo(abandoned);
        }
        return;
      } finally {
        batch.clear();
        setInFlight(List.of());
      }
    }
  }

  private void setInFlight(List<Completion> batch) {
    synchronized (inFlightLock) {
      inFlight = List.copyOf(batch);
    }
  }

  private void writeUntilDone(List<Completion> batch) throws InterruptedException {
    UnconfirmedCommitException unconfirmed = null; // the last try's COMMIT went unanswered
    while (true) {
      try {
        int written;
        if (unconfirmed == null) {
          written = rows.complete(batch);
        } else {
          // Written again blindly, a batch that was committed would find its rows finished, and its
          // outcomes would be reported as leases lost: its transaction's state says which it was.
          CommitState state = rows.commitState(unconfirmed.transactionId());
          if (state == CommitState.IN_PROGRESS) {
            throwIfOutOfTime();
            Thread.sleep(CONFIRM_POLL.toMillis()); // its session is still finishing it
            continue;
          }
          if (state == CommitState.COMMITTED) {
            written = unconfirmed.written();
            log.info("the unanswered commit of {} durable outcome(s) was committed: they are written", batch.size());
          } else {
            log.info("the unanswered commit of {} durable outcome(s) was not committed ({}): writing them again", batch.size(),
                state.name().toLowerCase(Locale.ROOT));
            unconfirmed = null;
            written = rows.complete(batch);
          }
        }
        events.durableCompletionBatch(written, batch.size() - written);
        if (written < batch.size()) {
          log.warn("{} of {} durable outcome(s) not written: their rows' lease was lost meanwhile (another node may run them again)",
              batch.size() - written, batch.size());
        }
        if (failing) {
          log.info("durable outcomes are written again");
          failing = false;
        }
        return;
      } catch (UnconfirmedCommitException e) {
        unconfirmed = e;
        log.warn("cannot tell whether {} durable outcome(s) were written: {}; looking up the transaction's state", batch.size(),
            UntrustedText.of(e.getMessage(), 500));
        failing = true;
        // looked up at once: most often only the connection broke, and a new one answers
      } catch (SQLException | RuntimeException e) {
        if (!failing) {
          log.warn("cannot write {} durable outcome(s): {}; retrying every {} ms (the rows keep their lease meanwhile)", batch.size(),
              UntrustedText.of(e.getMessage(), 500), RETRY_AFTER.toMillis());
          failing = true;
        }
        throwIfOutOfTime();
        Thread.sleep(RETRY_AFTER.toMillis());
      }
    }
  }

  /** Stopping, and the flush timeout is over: the rest is abandoned. */
  private void throwIfOutOfTime() throws InterruptedException {
    if (!running && System.nanoTime() - stopStartedNanos > flushTimeout.toNanos()) {
      throw new InterruptedException("stopping");
    }
  }

  /** Writes what waits, within the flush timeout; what could not be written is logged by row id. */
  @Override
  public void stop() throws InterruptedException {
    stopStartedNanos = System.nanoTime();
    running = false;
    thread.join(flushTimeout.toMillis() + RETRY_AFTER.toMillis() * 2);
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(5_000);
    }
    Set<Long> left = pendingRowIds();
    if (!left.isEmpty()) {
      log.warn("{} durable outcome(s) not written at shutdown (rows {}): they run again once their lease expires", left.size(),
          UntrustedText.of(left, 500));
    }
  }
}
