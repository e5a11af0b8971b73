package dev.dispatcher.service.listener;

import com.impossibl.postgres.api.jdbc.PGConnection;
import com.impossibl.postgres.jdbc.PGDataSource;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.storage.ListenStatements;
import dev.dispatcher.service.storage.PostgresListenStatements;
import dev.dispatcher.wire.ChannelNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pgjdbc-ng connection LISTENing on every configured channel. The driver pushes each
 * notification to {@link NotificationSink} from its I/O thread. A supervisor thread owns the
 * connection: it connects, LISTENs, watches the connection, and reconnects with capped backoff
 * and LISTENs again. Each outage is logged once, with its cause, and counted.
 *
 * <p>The driver reports a connection the server closed, but not one that silently stopped (a
 * frozen server, a dropped route, a proxy that stops forwarding, a driver that stops delivering).
 * So the supervisor checks: after {@code selfCheck.after} without any notification it NOTIFYs a
 * private channel on the listening session itself, which Postgres delivers back to that session.
 * The check needs no other connection, so it cannot queue behind other work. Unless the statement
 * completes and its notification comes back through the driver within {@code selfCheck.timeout},
 * the connection is declared dead, closed and re-established.
 */
public final class PgNotifyListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PgNotifyListener.class);

  /** The least network timeout on the listening connection: it bounds LISTEN, the check's NOTIFY and close. */
  private static final Duration STATEMENT_TIMEOUT_FLOOR = Duration.ofSeconds(10);
  /** How long the supervisor waits for a connection to close before it reconnects anyway. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  static {
    NettyDefaults.apply(); // before this class's first use of the driver loads Netty
  }

  /** When to check a quiet connection, and how long its own NOTIFY may take to come back. */
  public record SelfCheck(Duration after, Duration timeout) {}

  /** Opens the driver's connection; tests put a fault in front of it. */
  @FunctionalInterface
  interface Opener {
    Connection open(DatabaseUrl address) throws SQLException;
  }

  private final DatabaseUrl address;
  private final List<String> channels;
  private final SelfCheck selfCheck;
  private final int statementTimeoutMillis;
  private final Opener opener;
  /** What runs on the session: the statement texts are the storage's, the session is this listener's. */
  private final ListenStatements statements = new PostgresListenStatements();
  private final String privateChannel = "dispatcher_self_" + UUID.randomUUID().toString().replace("-", "");
  private final AtomicLong checkNumbers = new AtomicLong();
  private final NotificationSink sink;
  private final DispatcherEvents events;
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Completed (on the supervisor thread) when the first LISTEN has been issued on every channel. */
  private final CompletableFuture<Void> firstListen = new CompletableFuture<>();
  private final Thread supervisor;
  private final List<Runnable> listenActions = new CopyOnWriteArrayList<>();
  private volatile boolean closing;
  private volatile boolean connected;
  private volatile boolean lastSelfCheckPassed = true;
  private long outageStartNanos; // supervisor thread only; 0 while connected
  private String lastConnectError; // supervisor thread only

  /** @param failure told when the supervisor thread ends while the listener should run */
  public PgNotifyListener(DatabaseUrl address, List<String> channels, NotificationSink sink, DispatcherEvents events, SelfCheck selfCheck,
      FatalFailure failure) {
    this(address, channels, sink, events, selfCheck, PgNotifyListener::openDirect, failure);
  }

  PgNotifyListener(DatabaseUrl address, List<String> channels, NotificationSink sink, DispatcherEvents events, SelfCheck selfCheck,
      Opener opener, FatalFailure failure) {
    this.address = address;
    this.selfCheck = selfCheck;
    this.statementTimeoutMillis = (int) Math.min(Integer.MAX_VALUE,
        Math.max(selfCheck.timeout().toMillis(), STATEMENT_TIMEOUT_FLOOR.toMillis()));
    this.opener = opener;
    this.channels = List.copyOf(channels);
    this.channels.forEach(ChannelNames::check);
    this.sink = sink;
    this.events = events;
    this.supervisor = Thread.ofPlatform().name("dispatcher-listener").daemon(true)
        .uncaughtExceptionHandler(failure.handlerFor("listener supervisor")).unstarted(this::supervise);
  }

  public void start() {
    supervisor.start();
  }

  /** Waits until the first LISTEN has been issued on every channel. */
  public boolean awaitListening(Duration timeout) throws InterruptedException {
    try {
      firstListen.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("never completed exceptionally", e);
    }
  }

  /** True once the first LISTEN has been issued on every channel (it may be down again now). */
  public boolean hasListened() {
    return firstListen.isDone();
  }

  /**
   * Runs {@code action} once the first LISTEN has been issued: at once, on this thread, when it has
   * been; else on the listener's thread when it is. A failing action is logged, never fatal.
   */
  public void whenListening(Runnable action) {
    firstListen.thenRun(action).exceptionally(e -> {
      log.error("an action on the first LISTEN failed", e);
      return null;
    });
  }

  /**
   * Runs {@code action} on the listener's thread each time it listens again after (re)connecting,
   * e.g. to catch up on what was missed meanwhile. It must not block; a failing action is logged.
   */
  public void onEachListen(Runnable action) {
    listenActions.add(action);
  }

  public boolean isConnected() {
    return connected;
  }

  /** False from a failed self-check until the next passed check or a new connection. */
  public boolean lastSelfCheckPassed() {
    return lastSelfCheckPassed;
  }

  private void supervise() {
    long sessions = 0;
    while (!closing) {
      ListenerSession session = new ListenerSession(++sessions, privateChannel, statements, sink, lock, changed);
      String lossCause;
      try {
        lossCause = connectAndWatch(session);
      } catch (RuntimeException e) {
        // A bug here, not the connection: reconnect rather than let the listener's thread end.
        log.error("listener: unexpected failure; reconnecting", e);
        lossCause = "unexpected " + describe(e);
      } finally {
        connected = false;
        closeQuietly(session.connection());
      }
      if (closing) {
        break;
      }
      if (outageStartNanos == 0) {
        outageStartNanos = System.nanoTime();
        if (hasListened()) {
          events.listenerLost();
          log.warn("listener connection lost: {}; reconnecting (notifications sent meanwhile are not delivered)", lossCause);
        } else {
          // nothing was lost: the listener never listened since start (the database was down, or refused it)
          log.warn("listener not connected yet: {}; retrying (notifications sent meanwhile are not delivered)", lossCause);
        }
      }
      pause(backoff.nextDelayNanos());
    }
  }

  /** Connects, LISTENs and watches the connection; returns why it ended (null on close()). */
  private String connectAndWatch(ListenerSession session) {
    try {
      open(session);
    } catch (SQLException | RuntimeException e) {
      String error = describe(e);
      if (!error.equals(lastConnectError)) {
        log.warn("listener cannot connect to {}: {}", address, error);
        lastConnectError = error;
      }
      return "cannot connect: " + error;
    }
    connected = true;
    lastSelfCheckPassed = true; // a fresh connection has not failed a check
    events.listenerConnected();
    backoff.reset();
    for (Runnable action : listenActions) {
      try {
        action.run();
      } catch (RuntimeException e) {
        log.error("an action on listening again failed: {}", e.toString(), e);
      }
    }
    if (outageStartNanos != 0 && hasListened()) {
      log.info("listener reconnected to {} after {} ms; listening on {} again", address,
          (System.nanoTime() - outageStartNanos) / 1_000_000, channels);
    } else if (outageStartNanos != 0) {
      log.info("listener connected to {} after {} ms of retrying; listening on {}", address,
          (System.nanoTime() - outageStartNanos) / 1_000_000, channels);
    } else {
      log.info("listener connected to {}; listening on {}", address, channels);
    }
    outageStartNanos = 0;
    lastConnectError = null;
    firstListen.complete(null);
    return watch(session);
  }

  private void open(ListenerSession session) throws SQLException {
    Connection connection = opener.open(address);
    session.opened(connection); // from here on the supervisor closes it, whatever happens next
    // Bounds every statement on this connection and its close: a dead peer must not hold the
    // supervisor or a check's thread for ever (pgjdbc-ng waits without limit by default).
    connection.setNetworkTimeout(Runnable::run, statementTimeoutMillis);
    connection.unwrap(PGConnection.class).addNotificationListener(session);
    List<String> listenOn = new ArrayList<>(channels);
    listenOn.add(privateChannel); // the self-check's
    statements.listen(connection, listenOn);
  }

  static Connection openDirect(DatabaseUrl address) throws SQLException {
    PGDataSource dataSource = new PGDataSource();
    dataSource.setUrl(address.pgjdbcNgUrl());
    return dataSource.getConnection(address.user(), address.password());
  }

  /**
   * Returns why the connection is lost: closed, as its driver reports, or found dead by a
   * self-check after a quiet spell. Returns null at once on close().
   */
  private String watch(ListenerSession session) {
    long quietLimit = selfCheck.after().toNanos();
    session.touch();
    lock.lock();
    try {
      while (!closing) {
        if (session.lostCause() != null) {
          return session.lostCause();
        }
        long quietFor = session.quietNanos();
        if (quietFor < quietLimit) {
          changed.awaitNanos(quietLimit - quietFor);
          continue;
        }
        lock.unlock();
        String failure;
        try {
          failure = selfCheck(session);
        } finally {
          lock.lock();
        }
        if (failure != null) {
          return failure;
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "the listener was interrupted";
    } finally {
      lock.unlock();
    }
  }

  /**
   * NOTIFYs the private channel on the session itself and waits for the statement to complete and
   * the notification to come back; null when both did in time (or the connection is lost anyway,
   * which {@link #watch} reports), else why the connection is declared dead.
   */
  private String selfCheck(ListenerSession session) throws InterruptedException {
    String payload = "check-" + checkNumbers.incrementAndGet();
    long started = System.nanoTime();
    session.beginCheck(payload);
    // From a thread of its own: never the driver's I/O thread (a statement there deadlocks), and
    // not this one, whose wait stays bounded when the statement does not return on a dead peer.
    Thread sender = Thread.ofVirtual().name("listener-self-check").start(() -> session.sendCheck(payload));
    long deadline = started + selfCheck.timeout().toNanos();
    String failure;
    lock.lock();
    try {
      while (!closing && session.lostCause() == null && !session.checkDone()) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          break;
        }
        changed.awaitNanos(remaining);
      }
      failure = session.endCheck();
      if (closing || session.lostCause() != null) {
        return null;
      }
    } finally {
      lock.unlock();
    }
    if (failure == null) {
      lastSelfCheckPassed = true;
      events.selfCheckPassed(System.nanoTime() - started);
      return null;
    }
    sender.interrupt();
    events.selfCheckFailed();
    lastSelfCheckPassed = false;
    String cause = "self-check on connection #" + session.number() + ": " + failure + " within "
        + selfCheck.timeout().toMillis() + " ms (channel " + privateChannel + ")";
    log.warn("listener {}; declaring the connection dead", cause);
    return cause;
  }

  /** Sleeps between attempts, waking early on close(); never spins. */
  private void pause(long nanos) {
    lock.lock();
    try {
      long remaining = nanos;
      while (!closing && remaining > 0) {
        remaining = changed.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** Closes in the background with a bound: closing a connection to a frozen server must not hang reconnects. */
  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    Thread closer = Thread.ofVirtual().name("listener-close").start(() -> {
      try {
        connection.close();
      } catch (SQLException | RuntimeException e) {
        log.debug("closing listener connection: {}", describe(e));
      }
    });
    try {
      closer.join(CLOSE_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A failure in one line: its message, or its class when it has none (the JIT's preallocated
   * exceptions of a hot path carry no message, and some driver errors have none either).
   */
  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getName() : message;
  }

  /** Stops listening; waits up to 10 s for the supervisor (an interrupt ends the wait, and stays set). */
  @Override
  public void close() {
    closing = true;
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      supervisor.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
