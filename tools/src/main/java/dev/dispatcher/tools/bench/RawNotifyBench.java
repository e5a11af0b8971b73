package dev.dispatcher.tools.bench;

import com.impossibl.postgres.api.jdbc.PGConnection;
import com.impossibl.postgres.api.jdbc.PGNotificationListener;
import com.impossibl.postgres.jdbc.PGDataSource;
import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The ceiling: a plain pgjdbc client publishing the same payloads the dispatcher run sends, as
 * fast as a plain client can, and a plain pgjdbc-ng listener (the daemon's driver, connected the
 * way the daemon connects) that only counts what arrives. No dispatcher code in between.
 *
 * <p>The publisher does less than the dispatcher's library on purpose, so that its rate is an
 * upper bound for it: payloads are built before a round starts, the channel is a constant, the
 * statements are prepared once for the whole run, and a batch is one {@code text[]} parameter
 * (sent in binary) with one row back. The library's statement takes a channel per message,
 * orders by ordinality and returns a row per message: measurably slower (docs/benchmarks.md).
 */
final class RawNotifyBench implements AutoCloseable {

  static final String CHANNEL = "bench_raw";
  private static final Duration ARRIVAL_TIMEOUT = Duration.ofMinutes(2);

  private final Connection publisher;
  private final PreparedStatement notifyMany;
  private final PreparedStatement notifyOne;
  private final Connection listener;
  private final Countdown arrivals = new Countdown();
  private final LinkedBlockingQueue<Long> sequentialArrivals = new LinkedBlockingQueue<>();
  private volatile boolean sequential;

  RawNotifyBench(DatabaseUrl url) throws SQLException {
    dev.dispatcher.service.listener.NettyDefaults.apply(); // the same Netty settings as the daemon's listener
    publisher = DriverManager.getConnection(url.pgjdbcUrl(), url.user(), url.password());
    notifyMany = publisher.prepareStatement("SELECT count(pg_notify('" + CHANNEL + "', p)) FROM unnest(?::text[]) AS p");
    notifyOne = publisher.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)");
    PGDataSource ng = new PGDataSource();
    ng.setUrl(url.pgjdbcNgUrl());
    listener = ng.getConnection(url.user(), url.password());
    // Like the daemon's listener: one unfiltered listener on the connection, which LISTENs on one channel.
    listener.unwrap(PGConnection.class).addNotificationListener(new PGNotificationListener() {
      @Override
      public void notification(int processId, String channel, String payload) {
        if (sequential) {
          sequentialArrivals.offer(System.nanoTime()); // the publishing thread takes it (it may not be waiting yet)
        } else {
          arrivals.mark();
        }
      }
    });
    try (Statement statement = listener.createStatement()) {
      statement.execute("LISTEN " + CHANNEL);
    }
  }

  /** Publishes the payloads in batches, each in its own transaction; timed until the last arrived. */
  Round throughput(List<String> payloads, int batchSize) throws SQLException, InterruptedException, TimeoutException {
    sequential = false;
    arrivals.arm(payloads.size());
    long start = System.nanoTime();
    send(payloads, batchSize);
    long sent = System.nanoTime();
    return Round.of(payloads.size(), start, sent, arrivals.awaitLast(ARRIVAL_TIMEOUT));
  }

  /**
   * Sends the payloads in one transaction (not timed), then commits: Postgres delivers them all at
   * the commit. Timed from the commit to the last arrival (see {@link DrainRound}).
   */
  DrainRound drain(List<String> payloads, int statementSize) throws SQLException, InterruptedException, TimeoutException {
    sequential = false;
    publisher.setAutoCommit(false);
    boolean committed = false;
    try {
      send(payloads, statementSize);
      arrivals.arm(payloads.size());
      long commit = System.nanoTime();
      publisher.commit();
      long committedAt = System.nanoTime();
      committed = true;
      return DrainRound.of(payloads.size(), commit, committedAt, arrivals.awaitLast(ARRIVAL_TIMEOUT));
    } finally {
      if (!committed) {
        publisher.rollback(); // nothing half-sent stays open after a failure
      }
      publisher.setAutoCommit(true);
    }
  }

  /** One notification at a time: publish, wait for it to arrive; returns the latencies. */
  Stopwatch latency(List<String> payloads) throws SQLException, InterruptedException {
    sequential = true;
    sequentialArrivals.clear();
    Stopwatch stopwatch = new Stopwatch(payloads.size());
    for (String payload : payloads) {
      long start = System.nanoTime();
      notifyOne.setString(1, payload);
      notifyOne.executeQuery().close(); // one void row
      Long arrived = sequentialArrivals.poll(10, TimeUnit.SECONDS);
      if (arrived == null) {
        throw new IllegalStateException("raw listener did not receive a notification within 10 s");
      }
      stopwatch.add(arrived - start);
    }
    return stopwatch;
  }

  private void send(List<String> payloads, int batchSize) throws SQLException {
    for (int from = 0; from < payloads.size(); from += batchSize) {
      notifyMany.setObject(1, payloads.subList(from, Math.min(payloads.size(), from + batchSize)).toArray(new String[0]));
      notifyMany.executeQuery().close(); // one row: the count
    }
  }

  @Override
  public void close() throws SQLException {
    publisher.close();
    listener.close();
  }
}
