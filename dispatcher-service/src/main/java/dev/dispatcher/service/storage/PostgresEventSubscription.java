package dev.dispatcher.service.storage;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.wire.ChannelNames;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link EventSubscription} on a pgjdbc connection: {@code getNotifications(timeout)} waits on its socket, no polling. */
final class PostgresEventSubscription implements EventSubscription {

  private static final Logger log = LoggerFactory.getLogger(PostgresEventSubscription.class);
  private static final long MAX_PAUSE_MILLIS = 5000;

  private final DatabaseUrl address;
  private final String channel;
  private Connection connection;
  private long pauseMillis = 100;
  private boolean failing;

  PostgresEventSubscription(DatabaseUrl address, String channel) {
    this.address = address.withDefaultOption("ApplicationName", "dispatcher-api-events");
    this.channel = ChannelNames.check(channel);
  }

  @Override
  public synchronized List<String> next(int waitMillis) throws InterruptedException {
    List<String> payloads = new ArrayList<>();
    try {
      if (connection == null) {
        connect();
      }
      PGNotification[] arrived = connection.unwrap(PGConnection.class).getNotifications(waitMillis);
      if (arrived != null) {
        for (PGNotification notification : arrived) {
          payloads.add(notification.getParameter());
        }
      }
      return payloads;
    } catch (SQLException e) {
      closeConnection();
      if (!failing) {
        log.warn("http api event stream: LISTEN {} lost: {}; connecting again (events meanwhile are not seen)", channel,
            UntrustedText.of(e.getMessage(), 300));
        failing = true;
      }
      Thread.sleep(pauseMillis);
      pauseMillis = Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2);
      return payloads;
    }
  }

  private void connect() throws SQLException {
    connection = DriverManager.getConnection(address.pgjdbcUrl(), address.user(), address.password());
    try (Statement listen = connection.createStatement()) {
      listen.execute("LISTEN " + ChannelNames.quoteIdentifier(channel));
    }
    if (failing) {
      log.info("http api event stream: LISTEN {} again", channel);
      failing = false;
    }
    pauseMillis = 100;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("http api event stream: closing: {}", e.toString());
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    closeConnection();
  }
}
