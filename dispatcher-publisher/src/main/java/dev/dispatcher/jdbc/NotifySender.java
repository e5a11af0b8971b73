package dev.dispatcher.jdbc;

import dev.dispatcher.wire.Notification;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Sends notifications on a connection. One notification is one {@code SELECT pg_notify(?, ?)};
 * several go in one statement and one round trip through {@code unnest} of two arrays, which keeps
 * their order (Postgres delivers a transaction's notifications in the order they were queued).
 */
public final class NotifySender {

  private static final String NOTIFY_ONE = "SELECT pg_notify(?, ?)";
  private static final String NOTIFY_MANY =
      "SELECT pg_notify(c, p) FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(c, p, n) ORDER BY n";

  private NotifySender() {}

  /** Sends on the given connection, inside whatever transaction it is in. */
  public static void send(Connection connection, List<Notification> notifications) throws SQLException {
    send(connection, notifications, 0);
  }

  /**
   * Sends on the given connection, inside whatever transaction it is in; the statement is
   * cancelled after {@code timeoutSeconds} ({@link PreparedStatement#setQueryTimeout}; 0: no limit).
   */
  public static void send(Connection connection, List<Notification> notifications, int timeoutSeconds) throws SQLException {
    if (notifications.isEmpty()) {
      return;
    }
    if (notifications.size() == 1) {
      Notification only = notifications.get(0);
      try (PreparedStatement statement = connection.prepareStatement(NOTIFY_ONE)) {
        statement.setString(1, only.channel());
        statement.setString(2, only.payload());
        limit(statement, timeoutSeconds);
        drain(statement);
      }
      return;
    }
    String[] channels = new String[notifications.size()];
    String[] payloads = new String[notifications.size()];
    for (int i = 0; i < channels.length; i++) {
      channels[i] = notifications.get(i).channel();
      payloads[i] = notifications.get(i).payload();
    }
    Array channelArray = connection.createArrayOf("text", channels);
    Array payloadArray = connection.createArrayOf("text", payloads);
    try (PreparedStatement statement = connection.prepareStatement(NOTIFY_MANY)) {
      statement.setArray(1, channelArray);
      statement.setArray(2, payloadArray);
      limit(statement, timeoutSeconds);
      drain(statement);
    } finally {
      channelArray.free();
      payloadArray.free();
    }
  }

  private static void limit(PreparedStatement statement, int timeoutSeconds) throws SQLException {
    if (timeoutSeconds > 0) {
      statement.setQueryTimeout(timeoutSeconds);
    }
  }

  private static void drain(PreparedStatement statement) throws SQLException {
    statement.executeQuery().close(); // pg_notify returns void; the rows carry nothing
  }
}
