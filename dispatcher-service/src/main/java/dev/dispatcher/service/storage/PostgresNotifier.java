package dev.dispatcher.service.storage;

import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.wire.Notification;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** {@code pg_notify} on a connection of the pool, through the publisher library's {@link NotifySender}. */
final class PostgresNotifier implements Notifier {

  private final DataSource pool;

  PostgresNotifier(DataSource pool) {
    this.pool = pool;
  }

  @Override
  public void send(List<Notification> notifications) throws SQLException {
    try (Connection connection = pool.getConnection()) {
      NotifySender.send(connection, notifications);
    }
  }
}
