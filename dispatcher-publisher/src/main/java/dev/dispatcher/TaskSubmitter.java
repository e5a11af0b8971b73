package dev.dispatcher;

import dev.dispatcher.wire.Notification;
import java.util.List;

/** Where encoded notifications go: straight to the database, or into a batch. */
interface TaskSubmitter {

  /** The message builder shared by every reference from the same publisher. */
  MessageFactory messages();

  /** Sends (or collects) the notifications of one message. */
  void accept(String uuid, List<Notification> notifications);
}
