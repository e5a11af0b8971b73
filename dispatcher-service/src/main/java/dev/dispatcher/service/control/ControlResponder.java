package dev.dispatcher.service.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.wire.ChannelNames;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.Notification;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers control messages: each command runs on its own virtual thread (so a saturated pool or
 * a slow reply never holds up dispatching), and the reply, with {@code node_id}, goes to
 * {@code reply_to} through the daemon's pool, chunked when large. Nothing a command does, or
 * fails to do, can harm the daemon: failures become {@code {"error": ...}} replies.
 */
public final class ControlResponder {

  private static final Logger log = LoggerFactory.getLogger(ControlResponder.class);

  private final ControlCommands commands;
  private final String nodeId;
  private final DataSource dataSource;
  private final ObjectMapper mapper;
  private final Chunker chunker = new Chunker();

  public ControlResponder(ControlCommands commands, String nodeId, DataSource dataSource, ObjectMapper mapper) {
    this.commands = commands;
    this.nodeId = nodeId;
    this.dataSource = dataSource;
    this.mapper = mapper;
  }

  /** From the dispatch thread: hands the message to a virtual thread at once. */
  public void accept(ObjectNode message, String channel) {
    Thread.ofVirtual().name("control").start(() -> answer(message, channel));
  }

  private void answer(ObjectNode message, String channel) {
    JsonNode commandNode = message.get("control");
    String command = commandNode == null || !commandNode.isTextual() ? String.valueOf(commandNode) : commandNode.asText();
    JsonNode replyTo = message.get("reply_to");
    ObjectNode reply;
    try {
      reply = commands.run(command, message.get("control_data"));
    } catch (ControlCommands.UnknownCommandException | IllegalArgumentException e) {
      reply = error(e.getMessage());
    } catch (RuntimeException e) {
      log.warn("control command {} failed: {}", command, e.toString(), e);
      reply = error(e.toString());
    }
    reply.put("node_id", nodeId);
    if (replyTo == null || replyTo.isNull()) {
      log.info("control command {} on {} (no reply_to){}", command, channel, reply.has("error") ? ": " + reply.get("error").asText() : "");
      return;
    }
    String replyChannel = replyTo.asText();
    try {
      ChannelNames.check(replyChannel);
      String text = mapper.writeValueAsString(reply);
      List<Notification> notifications = new ArrayList<>();
      for (String payload : chunker.split(text)) {
        notifications.add(new Notification(replyChannel, payload));
      }
      try (Connection connection = dataSource.getConnection()) {
        NotifySender.send(connection, notifications);
      }
      log.info("control command {} on {}: replied on {} ({} bytes{}){}", command, channel, replyChannel, text.length(),
          notifications.size() > 1 ? ", " + notifications.size() + " chunks" : "",
          reply.has("error") ? ": " + reply.get("error").asText() : "");
    } catch (JsonProcessingException | IllegalArgumentException | java.sql.SQLException e) {
      log.warn("control command {}: could not reply on '{}': {}", command, replyChannel, e.getMessage());
    }
  }

  private ObjectNode error(String message) {
    ObjectNode reply = mapper.createObjectNode();
    reply.put("error", message);
    return reply;
  }
}
