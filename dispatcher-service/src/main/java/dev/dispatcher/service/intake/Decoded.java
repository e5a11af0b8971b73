package dev.dispatcher.service.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.DropReason;

/** What one notification turned out to be. */
public sealed interface Decoded {

  /** A task message, ready to dispatch. */
  record Task(TaskMessage message) implements Decoded {}

  /** A control command ({@code {"control": ...}}). */
  record Control(ObjectNode message, String channel) implements Decoded {}

  /** A durable queue's doorbell ({@code {"doorbell": ...}}): rows wait on this channel. */
  record Doorbell(String channel) implements Decoded {}

  /** One part of a chunked message that is not complete yet. */
  record PartialChunk() implements Decoded {}

  /** Not usable; {@code detail} says what is wrong. */
  record Rejected(DropReason reason, String detail, String uuid) implements Decoded {}
}
