package dev.dispatcher;

/** Where encoded submissions go: straight to the database, or into a batch. */
interface TaskSubmitter {

  /** The message builder shared by every reference from the same publisher. */
  MessageFactory messages();

  /** Sends (or collects) one submission: its notifications, or its durable row. */
  void accept(MessageFactory.Encoded submission);

  /**
   * Sends (or collects) one submission of the task and says what it came to. By default as {@link
   * #accept}, under the submission's own uuid; a submitter that sends a row the result cache may
   * answer ({@link dev.dispatcher.wire.DurableRow#cacheLookup()}) reads the answer.
   */
  default Submitted send(TaskDefinition task, MessageFactory.Encoded submission) {
    accept(submission);
    return new Submitted(submission.uuid(), false);
  }

  /** A handle on the submission with this uuid, through the publisher's result listener. */
  dev.dispatcher.status.TaskHandle handle(String uuid);

  /** A handle on what a submission came to: on a cached row, one that says so and reads it at once. */
  default dev.dispatcher.status.TaskHandle handle(Submitted sent) {
    return handle(sent.uuid());
  }
}
