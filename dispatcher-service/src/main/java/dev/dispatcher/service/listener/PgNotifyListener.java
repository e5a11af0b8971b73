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
 * connection: it connects, LISTENs, waits until the driver reports the connection closed, then
 * reconnects with capped backoff and LISTENs again. Each outage is logged once and counted.
 */
public final class PgNotifyListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PgNotifyListener.class);

  static {
    NettyDefaults.apply(); // before this class's first use of the driver loads Netty
  }

  private final DatabaseUrl address;
  private final List<String> channels;
  private final NotificationSink sink;
  private final DispatcherMetrics metrics;
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final CountDownLatch firstListen = new CountDownLatch(1);
  private final Thread supervisor;
  private volatile boolean closing;
  private volatile boolean connected;
  private long connectionLost; // guarded by lock: bumped by the driver's closed() callback

  public PgNotifyListener(DatabaseUrl address, List<String> channels, NotificationSink sink, DispatcherMetrics metrics) {
    this.address = address;
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

  private void supervise() {
    long outageStartNanos = 0;
    String lastError = null;
    while (!closing) {
      Connection connection = null;
      try {
        long lostBefore = lostCount();
        connection = connect();
        connected = true;
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
        awaitLoss(lostBefore);
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
          sink.accept(channel, payload);
        }

        @Override
        public void closed() {
          signalLoss();
        }
      });
      try (Statement statement = connection.createStatement()) {
        for (String channel : channels) {
          statement.execute("LISTEN " + ChannelNames.quoteIdentifier(channel));
        }
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

  /** Blocks until the driver reports this connection closed, or until close(). */
  private void awaitLoss(long lostBefore) {
    lock.lock();
    try {
      while (!closing && connectionLost == lostBefore) {
        changed.awaitUninterruptibly();
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

  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException | RuntimeException e) {
      log.debug("closing listener connection: {}", e.toString());
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
