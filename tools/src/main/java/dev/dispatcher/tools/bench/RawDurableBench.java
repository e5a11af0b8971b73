package dev.dispatcher.tools.bench;

import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The durable ceiling: the least a durable queue must do per row, on a bare table of its own, with
 * one plain pgjdbc connection and nothing else. A round inserts the rows 1,000 to a statement
 * ({@code unnest} of one binary {@code text[]}, cast to jsonb), then takes them out 1,000 at a time
 * the way a queue claims ({@code DELETE … WHERE id IN (SELECT … ORDER BY id LIMIT … FOR UPDATE
 * SKIP LOCKED) RETURNING id}) until the table is empty. Every statement is its own transaction
 * under the server's {@code synchronous_commit} (default on), so every batch waits for its WAL
 * flush, as the dispatcher's do. No claim state, no lease, no second write per row, no doorbell:
 * an upper bound for any table-backed queue on this database, not a rival design.
 *
 * <p>Its latency is the same cycle for one row: the row inserted and a NOTIFY sent in one
 * autocommit statement, and a second connection that LISTENs takes the row out as soon as the
 * notification arrives. Two synchronous commits, as the dispatcher's enqueue and claim.
 */
final class RawDurableBench implements AutoCloseable {

  static final String TABLE = "bench_raw_durable";
  private static final String CHANNEL = "bench_raw_durable";

  private final Connection connection;
  private final PreparedStatement insert;
  private final PreparedStatement take;
  private final PreparedStatement publishOne;
  private final Connection listener;
  private final PreparedStatement takeOne;

  /** Creates the table (dropping a leftover one) and prepares the two statements. */
  RawDurableBench(DatabaseUrl url, int batchSize) throws SQLException {
    connection = DriverManager.getConnection(url.pgjdbcUrl(), url.user(), url.password());
    try (Statement ddl = connection.createStatement()) {
      ddl.execute("DROP TABLE IF EXISTS " + TABLE);
      ddl.execute("CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, payload jsonb NOT NULL)");
    }
    insert = connection.prepareStatement("INSERT INTO " + TABLE + " (payload) SELECT p::jsonb FROM unnest(?::text[]) AS p");
    take = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE id IN (SELECT id FROM " + TABLE
        + " ORDER BY id LIMIT " + batchSize + " FOR UPDATE SKIP LOCKED) RETURNING id");
    publishOne = connection.prepareStatement("WITH r AS (INSERT INTO " + TABLE + " (payload) VALUES (?::jsonb) RETURNING id)"
        + " SELECT count(pg_notify('" + CHANNEL + "', '')) FROM r");
    listener = DriverManager.getConnection(url.pgjdbcUrl(), url.user(), url.password());
    try (Statement listen = listener.createStatement()) {
      listen.execute("LISTEN " + CHANNEL);
    }
    takeOne = listener.prepareStatement("DELETE FROM " + TABLE + " WHERE id IN (SELECT id FROM " + TABLE
        + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id");
  }

  /**
   * One round on an empty table (truncated first, not timed): every batch inserted, then deleted
   * until none is left. Timed from the first insert to the answer of the last delete that took
   * rows; "sending" in the round is the inserting part.
   */
  Round round(List<List<String>> batches) throws SQLException {
    int count = batches.stream().mapToInt(List::size).sum();
    try (Statement truncate = connection.createStatement()) {
      truncate.execute("TRUNCATE " + TABLE);
    }
    long start = System.nanoTime();
    for (List<String> batch : batches) {
      insert.setObject(1, batch.toArray(new String[0]));
      insert.executeUpdate();
    }
    long inserted = System.nanoTime();
    long drained = inserted;
    int taken = 0;
    while (true) {
      int rows = 0;
      try (ResultSet result = take.executeQuery()) {
        while (result.next()) {
          rows++;
        }
      }
      if (rows == 0) {
        break;
      }
      taken += rows;
      drained = System.nanoTime();
    }
    if (taken != count) {
      throw new IllegalStateException("the raw durable round took " + taken + " rows out of " + count + " inserted");
    }
    return new Round(count, (inserted - start) / 1e9, (drained - start) / 1e9);
  }

  /**
   * One row at a time: inserted with its NOTIFY (autocommit), and taken out by the listening
   * connection once the notification is there; from just before the insert to the take's answer.
   */
  Stopwatch latency(List<String> rows) throws SQLException {
    try (Statement truncate = connection.createStatement()) {
      truncate.execute("TRUNCATE " + TABLE);
    }
    PGConnection notifications = listener.unwrap(PGConnection.class);
    Stopwatch stopwatch = new Stopwatch(rows.size());
    for (String row : rows) {
      long start = System.nanoTime();
      publishOne.setString(1, row);
      publishOne.executeQuery().close();
      PGNotification[] arrived = notifications.getNotifications(10_000);
      if (arrived == null || arrived.length == 0) {
        throw new IllegalStateException("raw durable listener received no notification within 10 s");
      }
      int taken = 0;
      try (ResultSet result = takeOne.executeQuery()) {
        while (result.next()) {
          taken++;
        }
      }
      long end = System.nanoTime();
      if (taken != 1) {
        throw new IllegalStateException("raw durable latency: took " + taken + " rows for one notification");
      }
      stopwatch.add(end - start);
    }
    return stopwatch;
  }

  @Override
  public void close() throws SQLException {
    listener.close();
    try (Statement drop = connection.createStatement()) {
      drop.execute("DROP TABLE IF EXISTS " + TABLE);
    } finally {
      connection.close();
    }
  }
}
