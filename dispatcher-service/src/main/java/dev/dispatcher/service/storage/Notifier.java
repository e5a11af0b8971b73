package dev.dispatcher.service.storage;

import dev.dispatcher.wire.Notification;
import java.sql.SQLException;
import java.util.List;

/** Sends notifications through the daemon's connection pool, e.g. the replies to control commands. */
public interface Notifier {

  /** Sends these notifications in one statement, so in their order and all or none. */
  void send(List<Notification> notifications) throws SQLException;
}
