package dev.dispatcher;

/** Where encoded submissions go: straight to the database, or into a batch. */
interface TaskSubmitter {

  /** The message builder shared by every reference from the same publisher. */
  MessageFactory messages();

  /** Sends (or collects) one submission: its notifications, or its durable row. */
  void accept(MessageFactory.Encoded submission);
}
