package dev.dispatcher;

import dev.dispatcher.status.TaskStatus;
import dev.dispatcher.wire.ChannelNames;
import dev.dispatcher.wire.ResultNotices;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the waiters for task results: one listening connection per publisher, on the schema's
 * results channel ({@link ResultNotices}), read by one daemon thread that starts with the first
 * wait. A notification names the uuids of tasks that just finished; the rows of those waited for
 * are read (one statement for all of a notification's) and their waiters completed. The row is
 * the truth and a notification only a hint, so: each row is read once right after LISTEN (a task
 * that finished before the wait began is found), a wait that begins while the listener listens
 * reads its row at once, and every poll interval, and after each reconnect, the rows of every wait
 * are read again (a notification lost while the connection was down costs at most that long).
 */
final class ResultListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ResultListener.class);

  /** Waits (futures) at once at most; past it a new wait is refused. */
  static final int MAX_WAITS = 100_000;
  /** How long one read of notifications blocks: a close is noticed within it. */
  private static final int READ_MILLIS = 250;
  private static final Duration MAX_RECONNECT_BACKOFF = Duration.ofSeconds(5);

  /** Opens the listening connection (the listener closes it). */
  @FunctionalInterface
  interface Connections {
    Connection open() throws SQLException;
  }

  /** Reads the rows of up to {@link dev.dispatcher.jdbc.TaskRecordQueries#MAX_UUIDS} uuids. */
  @FunctionalInterface
  interface Rows {
    List<TaskStatus> read(Collection<String> uuids) throws SQLException;
  }

  /** The waits for one uuid, and whether its row was seen (a row seen, then gone, was deleted). */
  private static final class Watch {
    final List<CompletableFuture<TaskStatus>> futures = new ArrayList<>(1);
    boolean seen;
  }

  private final Connections connections;
  private final Rows rows;
  private final String channel;
  private final Duration pollInterval;
  private final ConcurrentHashMap<String, Watch> watches = new ConcurrentHashMap<>();
  private final AtomicInteger waits = new AtomicInteger();
  private final Object lifecycle = new Object();
  private Thread thread; // guarded by lifecycle
  private volatile boolean listening;
  private volatile boolean closed;
  private volatile String problem; // the last failure, for a waiter that times out
  private final java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();

  ResultListener(Connections connections, Rows rows, String channel, Duration pollInterval) {
    this.connections = connections;
    this.rows = rows;
    this.channel = ChannelNames.check(channel);
    this.pollInterval = pollInterval;
  }

  /**
   * A future completed with the row's status once it is final (completed, failed or cancelled);
   * exceptionally when the row disappears after it was seen, or the publisher closes. Cancelling it
   * ends this wait only.
   *
   * @throws IllegalStateException when {@value #MAX_WAITS} waits are open already
   */
  CompletableFuture<TaskStatus> await(String uuid) {
    CompletableFuture<TaskStatus> future = new CompletableFuture<>();
    if (closed) {
      future.completeExceptionally(new IllegalStateException("the publisher is closed"));
      return future;
    }
    if (waits.incrementAndGet() > MAX_WAITS) {
      waits.decrementAndGet();
      throw new IllegalStateException("more than " + MAX_WAITS + " task results waited for at once by this publisher");
    }
    future.whenComplete((status, failure) -> {
      waits.decrementAndGet();
      if (future.isCancelled()) {
        forget(uuid, future);
      }
    });
    watches.compute(uuid, (key, watch) -> {
      Watch kept = watch == null ? new Watch() : watch;
      kept.futures.add(future);
      return kept;
    });
    start();
    if (closed) { // closed meanwhile: close() may have ended the waits before this one was added
      take(uuid, false).forEach(open -> open.completeExceptionally(new IllegalStateException("the publisher is closed")));
      return future;
    }
    if (listening) {
      // after LISTEN: a row finished before now is found here, a later one is notified
      try {
        check(List.of(uuid));
      } catch (SQLException | RuntimeException e) {
        problem(e); // the next poll reads it again
      }
    }
    return future;
  }

  /** The last failure to listen or to read, for a wait that times out; null when all is well. */
  String problem() {
    return problem;
  }

  /** How many waits are open (for tests). */
  int waits() {
    return waits.get();
  }

  private void forget(String uuid, CompletableFuture<TaskStatus> future) {
    watches.computeIfPresent(uuid, (key, watch) -> {
      watch.futures.remove(future);
      return watch.futures.isEmpty() ? null : watch;
    });
  }

  private void start() {
    synchronized (lifecycle) {
      if (thread == null && !closed) {
        thread = new Thread(this::run, "dispatcher-results " + channel);
        thread.setDaemon(true);
        thread.start();
      }
    }
  }

  private void run() {
    long backoffMillis = 100;
    while (!closed) {
      try (Connection connection = connections.open()) {
        PGConnection pg = connection.unwrap(PGConnection.class);
        connection.setAutoCommit(true);
        try (Statement listen = connection.createStatement()) {
          listen.execute("LISTEN " + ChannelNames.quoteIdentifier(channel));
        }
        listening = true;
        checkAll(); // what finished while no one listened
        recovered();
        backoffMillis = 100;
        listen(connection, pg);
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (closed) {
          return;
        }
        problem(e);
        try {
          checkAll(); // the fallback while the connection is down
        } catch (SQLException | RuntimeException again) {
          problem(again);
        }
        if (!pause(backoffMillis)) {
          return;
        }
        backoffMillis = Math.min(backoffMillis * 2, Math.min(MAX_RECONNECT_BACKOFF.toMillis(), pollInterval.toMillis()));
      } finally {
        listening = false;
      }
    }
  }

  /** Reads notifications until the connection fails or the publisher closes; polls every poll interval. */
  private void listen(Connection connection, PGConnection pg) throws SQLException {
    long nextPoll = System.nanoTime() + pollInterval.toNanos();
    while (!closed) {
      PGNotification[] received = pg.getNotifications(READ_MILLIS);
      if (received != null && received.length > 0) {
        Set<String> finished = new HashSet<>();
        for (PGNotification notification : received) {
          for (String uuid : ResultNotices.uuids(notification.getParameter())) {
            if (watches.containsKey(uuid)) { // anyone can NOTIFY the channel: only waited-for uuids cost a read
              finished.add(uuid);
            }
          }
        }
        check(finished);
      }
      if (System.nanoTime() - nextPoll >= 0) {
        if (!connection.isValid(5)) {
          throw new SQLException("the listening connection does not answer");
        }
        checkAll();
        nextPoll = System.nanoTime() + pollInterval.toNanos();
      }
    }
  }

  private void checkAll() throws SQLException {
    check(new ArrayList<>(watches.keySet()));
  }

  /** Reads the rows of these uuids, a statement per thousand, and completes the waits whose row is final. */
  private void check(Collection<String> uuids) throws SQLException {
    List<String> all = new ArrayList<>(uuids);
    for (int from = 0; from < all.size(); from += dev.dispatcher.jdbc.TaskRecordQueries.MAX_UUIDS) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + dev.dispatcher.jdbc.TaskRecordQueries.MAX_UUIDS));
      Set<String> missing = new HashSet<>(chunk);
      for (TaskStatus status : rows.read(chunk)) {
        missing.remove(status.uuid());
        if (status.isFinished()) {
          complete(status.uuid(), status);
        } else {
          markSeen(status.uuid());
        }
      }
      for (String uuid : missing) {
        gone(uuid);
      }
    }
  }

  private void markSeen(String uuid) {
    watches.computeIfPresent(uuid, (key, watch) -> {
      watch.seen = true;
      return watch;
    });
  }

  private void complete(String uuid, TaskStatus status) {
    List<CompletableFuture<TaskStatus>> futures = take(uuid, false);
    // completed outside the map's lock: a dependent stage may wait again
    futures.forEach(future -> future.complete(status));
  }

  /** A row seen before and missing now was deleted (discarded, or past its retention): its waits end. */
  private void gone(String uuid) {
    List<CompletableFuture<TaskStatus>> futures = take(uuid, true);
    IllegalStateException failure = new IllegalStateException("task " + uuid + ": its row is gone (discarded, or deleted after its"
        + " retention) before it was seen finished");
    futures.forEach(future -> future.completeExceptionally(failure));
  }

  /** Removes the watch of a uuid and returns its futures; when {@code onlySeen}, only a watch whose row was seen. */
  private List<CompletableFuture<TaskStatus>> take(String uuid, boolean onlySeen) {
    List<CompletableFuture<TaskStatus>> taken = new ArrayList<>();
    watches.computeIfPresent(uuid, (key, watch) -> {
      if (onlySeen && !watch.seen) {
        return watch;
      }
      taken.addAll(watch.futures);
      return null;
    });
    return taken;
  }

  private boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return !closed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void problem(Exception e) {
    problem = e.getMessage();
    if (!closed && failing.compareAndSet(false, true)) {
      log.warn("task results on channel {}: {}; the waits are read again every {} ms meanwhile", channel, e.getMessage(),
          pollInterval.toMillis());
    }
  }

  private void recovered() {
    problem = null;
    if (failing.compareAndSet(true, false)) {
      log.info("task results on channel {}: listening again", channel);
    }
  }

  /** Stops the listener, closes its connection and ends the waits still open. */
  @Override
  public void close() {
    Thread running;
    synchronized (lifecycle) {
      closed = true;
      running = thread;
    }
    if (running != null) {
      try {
        running.join(READ_MILLIS * 4L + 5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    IllegalStateException failure = new IllegalStateException("the publisher was closed while waiting for the task's result");
    for (String uuid : new ArrayList<>(watches.keySet())) {
      take(uuid, false).forEach(future -> future.completeExceptionally(failure));
    }
  }
}
