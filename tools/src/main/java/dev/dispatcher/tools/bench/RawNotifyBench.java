package dev.dispatcher.tools.bench;

import com.impossibl.postgres.api.jdbc.PGConnection;
import com.impossibl.postgres.api.jdbc.PGNotificationListener;
import com.impossibl.postgres.jdbc.PGDataSource;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.wire.Notification;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ceiling: a plain JDBC publisher and a plain pgjdbc-ng listener with no dispatcher in
 * between, sending the same payloads the dispatcher run sends.
 */
final class RawNotifyBench implements AutoCloseable {

  private static final String CHANNEL = "bench_raw";

  private final Connection publisher;
  private final Connection listener;
  private final AtomicReference<CountDownLatch> burst = new AtomicReference<>(new CountDownLatch(0));
  private final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
  private volatile boolean sequential;

  RawNotifyBench(DatabaseUrl url) throws SQLException {
    dev.dispatcher.service.listener.NettyDefaults.apply(); // the same Netty settings as the daemon's listener
    publisher = DriverManager.getConnection(url.pgjdbcUrl(), url.user(), url.password());
    PGDataSource ng = new PGDataSource();
    ng.setUrl(url.pgjdbcNgUrl());
    listener = ng.getConnection(url.user(), url.password());
    listener.unwrap(PGConnection.class).addNotificationListener(CHANNEL, new PGNotificationListener() {
      @Override
      public void notification(int processId, String channel, String payload) {
        long now = System.nanoTime();
        if (sequential) {
          arrivals.offer(now); // the publishing thread takes it (it may not be waiting yet)
        } else {
          burst.get().countDown();
        }
      }
    });
    try (Statement statement = listener.createStatement()) {
      statement.execute("LISTEN " + CHANNEL);
    }
  }

  /** Publishes the payloads in batches and returns messages per second until the last arrived. */
  double throughput(List<String> payloads, int batchSize) throws SQLException, InterruptedException {
    sequential = false;
    CountDownLatch all = new CountDownLatch(payloads.size());
    burst.set(all);
    long start = System.nanoTime();
    for (int from = 0; from < payloads.size(); from += batchSize) {
      List<Notification> batch = new ArrayList<>(batchSize);
      for (String payload : payloads.subList(from, Math.min(payloads.size(), from + batchSize))) {
        batch.add(new Notification(CHANNEL, payload));
      }
      NotifySender.send(publisher, batch);
    }
    if (!all.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("raw listener missed " + all.getCount() + " notification(s)");
    }
    return payloads.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** One notification at a time: publish, wait for it to arrive; returns the latencies. */
  Stopwatch latency(List<String> payloads) throws SQLException, InterruptedException {
    sequential = true;
    Stopwatch stopwatch = new Stopwatch(payloads.size());
    for (String payload : payloads) {
      long start = System.nanoTime();
      NotifySender.send(publisher, List.of(new Notification(CHANNEL, payload)));
      Long arrived = arrivals.poll(10, TimeUnit.SECONDS);
      if (arrived == null) {
        throw new IllegalStateException("raw listener did not receive a notification within 10 s");
      }
      stopwatch.add(arrived - start);
    }
    return stopwatch;
  }

  @Override
  public void close() throws SQLException {
    publisher.close();
    listener.close();
  }
}
