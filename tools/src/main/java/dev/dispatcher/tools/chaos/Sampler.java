package dev.dispatcher.tools.chaos;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Reads the completed rows and the task table's dead tuples every {@value #PERIOD_MILLIS} ms, on a
 * control connection of its own (reconnecting after an outage; no sample meanwhile).
 */
final class Sampler implements AutoCloseable {

  static final long PERIOD_MILLIS = 500;

  private final ChaosDatabase database;
  private final LongSupplier published;
  private final List<Sample> samples = new ArrayList<>(); // guarded by itself
  private volatile boolean running = true;
  private final Thread thread;

  Sampler(ChaosDatabase database, LongSupplier published) {
    this.database = database;
    this.published = published;
    this.thread = Thread.ofPlatform().name("chaos-sampler").daemon(true).unstarted(this::loop);
  }

  Sampler start() {
    thread.start();
    return this;
  }

  /** The samples so far, oldest first. */
  List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  private void loop() {
    Connection connection = null;
    long next = System.nanoTime();
    try {
      while (running) {
        try {
          if (connection == null) {
            connection = database.connect(ChaosSchema.CONTROL_APPLICATION, 10);
          }
          long before = System.nanoTime();
          long publishedSoFar = published.getAsLong(); // read first: a backlog is never hidden by what is published during the query
          long[] progress = database.progress(connection);
          long after = System.nanoTime();
          synchronized (samples) {
            samples.add(new Sample(before + (after - before) / 2, progress[0], publishedSoFar, progress[1]));
          }
        } catch (SQLException e) {
          Stress.closeQuietly(connection); // broken already
          connection = null;
        }
        next += TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        } else {
          next = System.nanoTime(); // fell behind (a slow query, an outage): no burst of samples to catch up
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Stress.closeQuietly(connection);
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
