package dev.dispatcher.tools.chaos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes durable chaos tasks at a steady rate through the SQL API ({@code enqueue_many}, one
 * statement per batch of up to {@value #MAX_BATCH}), on one connection of its own. Open loop: by
 * any moment it owes {@code rate x elapsed} tasks, whatever happened meanwhile, so a publisher held
 * up by an outage catches up afterwards, as producers that retry do.
 *
 * <p>The uuids are made here, so a batch whose outcome is unknown (the connection broke during the
 * statement) is simply sent again: {@code enqueue_many} takes a uuid once ({@code ON CONFLICT DO
 * NOTHING}). A batch counts as acknowledged once a statement carrying it returned.
 */
final class LoadPublisher implements AutoCloseable {

  static final int MAX_BATCH = 1000;
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long RETRY_MILLIS = 200;

  /** The row options of every task: retries come quickly and do not run out during a scenario. */
  static final int MAX_ATTEMPTS = 100;
  static final double BACKOFF_SECONDS = 1;
  static final double MAX_BACKOFF_SECONDS = 5;

  private final ChaosDatabase database;
  private final long taskMillis;
  private volatile double rate;
  private final AtomicLong acknowledged = new AtomicLong();
  private final Set<String> acknowledgedUuids = ConcurrentHashMap.newKeySet();
  private final AtomicLong failures = new AtomicLong();
  private volatile String firstFailure;
  private volatile List<String> unconfirmed = List.of();
  private volatile boolean running = true;
  private final Thread thread;

  /** @param taskMillis how long each task works after journaling its run */
  LoadPublisher(ChaosDatabase database, double rate, long taskMillis) {
    this.database = database;
    this.taskMillis = taskMillis;
    this.rate = rate;
    this.thread = Thread.ofPlatform().name("chaos-publisher").daemon(true).unstarted(this::loop);
  }

  LoadPublisher start() {
    thread.start();
    return this;
  }

  /** Tasks per second from now on. */
  void rate(double perSecond) {
    this.rate = perSecond;
  }

  double rate() {
    return rate;
  }

  long acknowledged() {
    return acknowledged.get();
  }

  Set<String> acknowledgedUuids() {
    return acknowledgedUuids;
  }

  /** The batch in flight when it stopped (its outcome unknown), after {@link #close()}. */
  List<String> unconfirmed() {
    return unconfirmed;
  }

  long failures() {
    return failures.get();
  }

  String firstFailure() {
    return firstFailure;
  }

  private void loop() {
    Connection connection = null;
    List<String> batch = null;
    double owed = 0;
    long last = System.nanoTime();
    try {
      while (running) {
        long now = System.nanoTime();
        owed += rate * (now - last) / 1e9;
        last = now;
        if (batch == null && owed >= 1) {
          int size = (int) Math.min(MAX_BATCH, Math.floor(owed));
          batch = new ArrayList<>(size);
          for (int i = 0; i < size; i++) {
            batch.add(UUID.randomUUID().toString());
          }
          owed -= size;
        }
        if (batch != null) {
          try {
            if (connection == null) {
              connection = database.connect(ChaosSchema.PUBLISHER_APPLICATION, 30);
            }
            send(connection, batch, taskMillis);
            acknowledgedUuids.addAll(batch);
            acknowledged.addAndGet(batch.size());
            batch = null;
            if (owed >= 1) {
              continue; // behind: catch up without waiting for the next tick
            }
          } catch (SQLException e) {
            if (failures.getAndIncrement() == 0) {
              firstFailure = e.getMessage();
            }
            Stress.closeQuietly(connection);
            connection = null;
            TimeUnit.MILLISECONDS.sleep(RETRY_MILLIS);
            continue;
          }
        }
        long sleep = TICK_NANOS - (System.nanoTime() - now);
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      unconfirmed = batch == null ? List.of() : List.copyOf(batch);
      Stress.closeQuietly(connection);
    }
  }

  private static void send(Connection connection, List<String> batch, long taskMillis) throws SQLException {
    try (PreparedStatement enqueue = connection.prepareStatement("SELECT count(*) FROM " + ChaosSchema.ENQUEUE_MANY + "(?::jsonb)")) {
      enqueue.setString(1, json(batch, taskMillis));
      try (ResultSet result = enqueue.executeQuery()) {
        result.next();
      }
    }
  }

  /** The batch for {@code enqueue_many}: each uuid a row of the chaos task on the chaos channel. */
  static String json(List<String> uuids, long taskMillis) {
    String options = "\",\"task\":\"" + ChaosTasks.NAME + "\",\"args\":[" + taskMillis + "],\"channel\":\"" + ChaosSchema.CHANNEL
        + "\",\"max_attempts\":" + MAX_ATTEMPTS + ",\"backoff\":" + BACKOFF_SECONDS + ",\"max_backoff\":" + MAX_BACKOFF_SECONDS + "}";
    StringBuilder json = new StringBuilder(uuids.size() * (60 + options.length())).append('[');
    for (int i = 0; i < uuids.size(); i++) {
      json.append(i == 0 ? "" : ",").append("{\"uuid\":\"").append(uuids.get(i)).append(options);
    }
    return json.append(']').toString();
  }

  /** Stops publishing and waits for the statement in flight (at most its 30 s socket timeout). */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(40));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
