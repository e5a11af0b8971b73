package dev.dispatcher.service.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.message.TaskMessage;
import java.time.Instant;

/**
 * One task run as hooks see it.
 *
 * @param startedAt wall-clock start, for comparing with the message's {@code time_pub}
 */
public record TaskRun(TaskMessage message, String nodeId, Instant startedAt) {

  public String uuid() {
    return message.uuid();
  }

  public String taskName() {
    return message.task();
  }

  public ObjectNode rawMessage() {
    return message.raw();
  }
}
