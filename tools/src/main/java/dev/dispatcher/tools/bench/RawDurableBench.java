package dev.dispatcher.tools.bench;

import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The durable ceiling: the least a durable queue must do per row, on a bare table of its own, with
 * one plain pgjdbc connection and nothing else. A round inserts the rows 1,000 to a statement
 * ({@code unnest} of one binary {@code text[]}, cast to jsonb), then takes them out 1,000 at a time
 * the way a queue claims ({@code DELETE … WHERE id IN (SELECT … ORDER BY id LIMIT … FOR UPDATE
 * SKIP LOCKED) RETURNING id}) until the table is empty. Every statement is its own transaction
 * under the server's {@code synchronous_commit} (default on), so every batch waits for its WAL
 * flush, as the dispatcher's do. No claim state, no lease, no second write per row, no doorbell:
 * an upper bound for any table-backed queue on this database, not a rival design.
 */
final class RawDurableBench implements AutoCloseable {

  static final String TABLE = "bench_raw_durable";

  private final Connection connection;
  private final PreparedStatement insert;
  private final PreparedStatement take;

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

  @Override
  public void close() throws SQLException {
    try (Statement drop = connection.createStatement()) {
      drop.execute("DROP TABLE IF EXISTS " + TABLE);
    } finally {
      connection.close();
    }
  }
}
