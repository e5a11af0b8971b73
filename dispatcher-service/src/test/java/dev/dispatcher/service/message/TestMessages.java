package dev.dispatcher.service.message;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.wire.WireFormat;

/** Task messages for tests of the parts that take them: read as the daemon reads a tree. */
public final class TestMessages {

  private static final TaskMessageReader READER = new TaskMessageReader(WireFormat.newObjectMapper(), MessageLimits.TRUSTED);

  private TestMessages() {}

  public static TaskMessage of(ObjectNode message, String channel, String fallbackUuid) {
    return READER.read(message, channel, fallbackUuid);
  }
}
