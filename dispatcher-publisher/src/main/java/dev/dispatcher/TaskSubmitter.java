package dev.dispatcher;

/** Where encoded submissions go: straight to the database, or into a batch. */
interface TaskSubmitter {

  /** The message builder shared by every reference from the same publisher. */
  MessageFactory messages();

  /** Sends (or collects) one submission: its notifications, or its durable row. */
  void accept(MessageFactory.Encoded submission);

  /** A handle on the submission with this uuid, through the publisher's result listener. */
  dev.dispatcher.status.TaskHandle handle(String uuid);
}
