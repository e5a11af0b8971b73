package dev.dispatcher.tools.sustained;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import dev.dispatcher.jdbc.DatabaseUrl;

/**
 * Enqueues the run's tasks at a steady rate through the SQL API ({@code enqueue_many}, one
 * autocommit statement per batch), on a thread of its own. When the database falls behind, the
 * producer does not burst to catch up: each batch waits for its slot in the schedule, and the rate
 * actually reached is reported, so a slow database shows as a lower offered rate, not as a flood.
 */
final class PacedProducer implements AutoCloseable {

  private final Connection connection;
  private final PreparedStatement enqueueMany;
  private final String taskJsonHead;
  private final int ratePerSecond;
  private final int batchSize;
  private final int total;
  private final AtomicInteger published = new AtomicInteger();
  private final Thread thread;
  private volatile Exception failure;

  PacedProducer(DatabaseUrl address, String schema, String task, String channel, int ratePerSecond, int batchSize, int total)
      throws SQLException {
    this.connection = DriverManager.getConnection(address.pgjdbcUrl(), address.user(), address.password());
    this.enqueueMany = connection.prepareStatement("SELECT count(*) FROM \"" + schema + "\".enqueue_many(?::jsonb)");
    this.taskJsonHead = "{\"task\":\"" + task + "\",\"channel\":\"" + channel + "\",\"args\":[";
    this.ratePerSecond = ratePerSecond;
    this.batchSize = batchSize;
    this.total = total;
    this.thread = new Thread(this::run, "sustained-producer");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Tasks committed so far. */
  int published() {
    return published.get();
  }

  boolean done() {
    return !thread.isAlive();
  }

  Exception failure() {
    return failure;
  }

  void awaitEnd() throws InterruptedException {
    thread.join();
  }

  private void run() {
    long start = System.nanoTime();
    double nanosPerTask = 1e9 / ratePerSecond;
    try {
      int next = 0;
      while (next < total && !Thread.currentThread().isInterrupted()) {
        int size = Math.min(batchSize, total - next);
        long due = start + (long) (next * nanosPerTask);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        StringBuilder array = new StringBuilder(size * (taskJsonHead.length() + 12)).append('[');
        for (int i = 0; i < size; i++) {
          if (i > 0) {
            array.append(',');
          }
          array.append(taskJsonHead).append(next + i).append("]}");
        }
        enqueueMany.setString(1, array.append(']').toString());
        enqueueMany.executeQuery().close();
        next += size;
        published.set(next);
      }
    } catch (SQLException | RuntimeException e) {
      failure = e;
    }
  }

  @Override
  public void close() throws SQLException {
    thread.interrupt();
    connection.close();
  }
}
