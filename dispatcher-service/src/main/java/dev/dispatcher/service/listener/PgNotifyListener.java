package dev.dispatcher.service.listener;

import com.impossibl.postgres.api.jdbc.PGConnection;
import com.impossibl.postgres.api.jdbc.PGNotificationListener;
import com.impossibl.postgres.jdbc.PGDataSource;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.wire.ChannelNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pgjdbc-ng connection LISTENing on every configured channel. The driver pushes each
 * notification to {@link NotificationSink} from its I/O thread. A supervisor thread owns the
 * connection: it connects, LISTENs, watches the connection, and reconnects with capped backoff
 * and LISTENs again. Each outage is logged once and counted.
 *
 * <p>The driver reports a connection the server closed, but not one that silently stopped (a
 * frozen server, a dropped route, a proxy that stops forwarding). So the supervisor checks: after
 * {@code selfCheckAfter} without any notification it NOTIFYs a private channel through another
 * connection; if that notification is not back within {@code selfCheckTimeout}, the connection is
 * declared dead, closed and re-established.
 */
public final class PgNotifyListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PgNotifyListener.class);

  static {
    NettyDefaults.apply(); // before this class's first use of the driver loads Netty
  }

  /** Sends the self-check NOTIFY through a connection other than the listener's. */
  @FunctionalInterface
  public interface Notifier {
    void notify(String channel, String payload) throws Exception;
  }

  /** When and how long to check a quiet connection. */
  public record SelfCheck(Duration after, Duration timeout, Notifier notifier) {}

  private final DatabaseUrl address;
  private final List<String> channels;
  private final SelfCheck selfCheck;
  private final String privateChannel = "dispatcher_self_" + java.util.UUID.randomUUID().toString().replace("-", "");
  private final java.util.concurrent.atomic.AtomicLong checkNumbers = new java.util.concurrent.atomic.AtomicLong();
  private volatile long lastActivityNanos = System.nanoTime();
  private volatile String awaitedCheck; // payload of the self-check in flight
  private boolean checkAnswered; // guarded by lock
  private final NotificationSink sink;
  private final DispatcherMetrics metrics;
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final CountDownLatch firstListen = new CountDownLatch(1);
  private final Thread supervisor;
  private volatile boolean closing;
  private volatile boolean connected;
  private volatile boolean lastSelfCheckPassed = true;
  private long connectionLost; // guarded by lock: bumped by the driver's closed() callback

  public PgNotifyListener(DatabaseUrl address, List<String> channels, NotificationSink sink, DispatcherMetrics metrics, SelfCheck selfCheck) {
    this.address = address;
    this.selfCheck = selfCheck;
    this.channels = List.copyOf(channels);
    this.channels.forEach(ChannelNames::check);
    this.sink = sink;
    this.metrics = metrics;
    this.supervisor = Thread.ofPlatform().name("dispatcher-listener").daemon(true).unstarted(this::supervise);
  }

  public void start() {
    supervisor.start();
  }

  /** Waits until the first LISTEN has been issued on every channel. */
  public boolean awaitListening(Duration timeout) throws InterruptedException {
    return firstListen.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  public boolean isConnected() {
    return connected;
  }

  /** False from a failed self-check until the next passed check or a new connection. */
  public boolean lastSelfCheckPassed() {
    return lastSelfCheckPassed;
  }

  private void supervise() {
    long outageStartNanos = 0;
    String lastError = null;
    while (!closing) {
      Connection connection = null;
      try {
        long lostBefore = lostCount();
        connection = connect();
        connected = true;
        lastSelfCheckPassed = true; // a fresh connection has not failed a check
        metrics.listenerConnections.increment();
        backoff.reset();
        if (outageStartNanos != 0) {
          log.info("listener reconnected to {} after {} ms; listening on {} again", address,
              (System.nanoTime() - outageStartNanos) / 1_000_000, channels);
        } else {
          log.info("listener connected to {}; listening on {}", address, channels);
        }
        outageStartNanos = 0;
        lastError = null;
        firstListen.countDown();
        watch(lostBefore);
      } catch (SQLException | RuntimeException e) {
        String error = e.getMessage();
        if (!error.equals(lastError)) {
          log.warn("listener cannot connect to {}: {}", address, error);
          lastError = error;
        }
      } finally {
        connected = false;
        closeQuietly(connection);
      }
      if (closing) {
        break;
      }
      if (outageStartNanos == 0) {
        outageStartNanos = System.nanoTime();
        metrics.listenerLosses.increment();
        log.warn("listener connection lost; reconnecting (notifications sent meanwhile are not delivered)");
      }
      pause(backoff.nextDelayNanos());
    }
  }

  private Connection connect() throws SQLException {
    PGDataSource dataSource = new PGDataSource();
    dataSource.setUrl(address.pgjdbcNgUrl());
    Connection connection = dataSource.getConnection(address.user(), address.password());
    try {
      PGConnection pg = connection.unwrap(PGConnection.class);
      pg.addNotificationListener(new PGNotificationListener() {
        @Override
        public void notification(int processId, String channel, String payload) {
          lastActivityNanos = System.nanoTime();
          if (privateChannel.equals(channel)) {
            answered(payload);
          } else {
            sink.accept(channel, payload);
          }
        }

        @Override
        public void closed() {
          signalLoss();
        }
      });
      try (Statement statement = connection.createStatement()) {
        // Server-side TCP keepalive for this session (pgjdbc-ng has no client-side setting): the
        // server then drops a backend whose route died instead of keeping it. The client side is
        // covered by the self-check.
        statement.execute("SET tcp_keepalives_idle = 30");
        statement.execute("SET tcp_keepalives_interval = 10");
        statement.execute("SET tcp_keepalives_count = 3");
        for (String channel : channels) {
          statement.execute("LISTEN " + ChannelNames.quoteIdentifier(channel));
        }
        statement.execute("LISTEN " + ChannelNames.quoteIdentifier(privateChannel));
      }
      return connection;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  private long lostCount() {
    lock.lock();
    try {
      return connectionLost;
    } finally {
      lock.unlock();
    }
  }

  private void signalLoss() {
    lock.lock();
    try {
      connectionLost++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns when the connection is lost: reported by the driver, or found dead by a self-check
   * after a quiet spell. Returns at once on close().
   */
  private void watch(long lostBefore) {
    long quietLimit = selfCheck.after().toNanos();
    lastActivityNanos = System.nanoTime();
    lock.lock();
    try {
      while (!closing && connectionLost == lostBefore) {
        long quietFor = System.nanoTime() - lastActivityNanos;
        if (quietFor < quietLimit) {
          changed.awaitNanos(quietLimit - quietFor);
          continue;
        }
        lock.unlock();
        boolean alive;
        try {
          alive = selfCheck();
        } finally {
          lock.lock();
        }
        if (!alive) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** NOTIFY the private channel elsewhere and wait for it here; false when it does not come back in time. */
  private boolean selfCheck() throws InterruptedException {
    String payload = "check-" + checkNumbers.incrementAndGet();
    long started = System.nanoTime();
    lock.lock();
    try {
      checkAnswered = false;
      awaitedCheck = payload;
    } finally {
      lock.unlock();
    }
    // Sent from a virtual thread so that a notifier stuck on the same dead network cannot stall the check.
    Thread sender = Thread.ofVirtual().name("listener-self-check").start(() -> {
      try {
        selfCheck.notifier().notify(privateChannel, payload);
      } catch (Exception e) {
        log.debug("listener self-check: NOTIFY failed: {}", e.toString());
      }
    });
    long deadline = started + selfCheck.timeout().toNanos();
    lock.lock();
    try {
      while (!checkAnswered && !closing) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          break;
        }
        changed.awaitNanos(remaining);
      }
      awaitedCheck = null;
      if (checkAnswered || closing) {
        metrics.selfChecks.increment();
        lastSelfCheckPassed = true;
        metrics.lastSelfCheckNanos.set(System.nanoTime() - started);
        return true;
      }
    } finally {
      lock.unlock();
    }
    sender.interrupt();
    metrics.selfCheckFailures.increment();
    lastSelfCheckPassed = false;
    log.warn("listener self-check: NOTIFY on {} did not come back within {} ms; declaring the connection dead",
        privateChannel, selfCheck.timeout().toMillis());
    return false;
  }

  /** From the driver's I/O thread: a notification on the private channel. */
  private void answered(String payload) {
    lock.lock();
    try {
      if (payload.equals(awaitedCheck)) {
        checkAnswered = true;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
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
        log.debug("closing listener connection: {}", e.toString());
      }
    });
    try {
      closer.join(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    supervisor.join(Duration.ofSeconds(10));
  }
}
