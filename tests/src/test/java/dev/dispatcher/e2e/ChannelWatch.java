package dev.dispatcher.e2e;

import dev.dispatcher.wire.ChannelNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Listens on one channel and counts what arrives there (e.g. replies a daemon should never have sent). */
final class ChannelWatch implements AutoCloseable {

  private static final int KEPT = 5;

  private final Connection connection;
  private final List<String> first = new ArrayList<>(KEPT);
  private long received;

  private ChannelWatch(Connection connection) {
    this.connection = connection;
  }

  static ChannelWatch listen(TestDatabase database, String channel) throws SQLException {
    Connection connection = database.connect();
    try (Statement listen = connection.createStatement()) {
      listen.execute("LISTEN " + ChannelNames.quoteIdentifier(channel));
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return new ChannelWatch(connection);
  }

  /** Reads what has arrived so far, waiting at most this long (0: not at all) for the first notification; returns the count so far. */
  long poll(int waitMillis) throws SQLException {
    PGConnection listener = connection.unwrap(PGConnection.class);
    // pgjdbc: getNotifications(0) blocks until one arrives; getNotifications() does not wait
    PGNotification[] arrived = waitMillis > 0 ? listener.getNotifications(waitMillis) : listener.getNotifications();
    if (arrived != null) {
      for (PGNotification notification : arrived) {
        received++;
        if (first.size() < KEPT) {
          String payload = notification.getParameter();
          first.add(payload.length() > 200 ? payload.substring(0, 200) + "..." : payload);
        }
      }
    }
    return received;
  }

  /** The first few payloads that arrived, cut to 200 characters. */
  List<String> firstPayloads() {
    return List.copyOf(first);
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
