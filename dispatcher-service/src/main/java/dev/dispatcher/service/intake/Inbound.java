package dev.dispatcher.service.intake;

import dev.dispatcher.service.message.TaskMessage;

/** What producers put on the dispatch queue. */
public sealed interface Inbound {

  /** A raw notification from the listener. */
  record Notified(String channel, String payload) implements Inbound {}

  /** A task the daemon made itself (a schedule tick, an on-start task). */
  record Local(TaskMessage message) implements Inbound {}
}
