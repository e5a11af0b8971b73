package dev.dispatcher.service.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.Refusal;
import dev.dispatcher.service.storage.Notifier;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.Notification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers control messages. On the dispatch thread it only checks {@code reply_to} and takes a
 * handler slot ({@link BoundedHandlers}); the handler asks the {@link ControlPolicy}, runs the
 * command, and sends the reply, with {@code node_id}, to {@code reply_to} through the
 * {@link Notifier} (the daemon's pool), chunked when large and never over
 * {@link ReplyLimits#maxBytes()}. Nothing a command does, or fails to do, can harm the daemon:
 * failures become {@code {"error": ...}} replies, and every refusal is counted
 * ({@link DispatcherEvents#controlRefused}) and logged.
 */
public final class ControlResponder {

  private static final Logger log = LoggerFactory.getLogger(ControlResponder.class);

  /**
   * @param replies the size bounds of a reply
   * @param maxHandlers commands handled at once
   * @param maxBusyReplies "busy" answers in flight at once when every handler is taken; beyond, messages are dropped
   */
  public record Limits(ReplyLimits replies, int maxHandlers, int maxBusyReplies) {}

  /** One control message, its reply channel checked. */
  private record Request(String command, String replyTo, ObjectNode message, String channel) {}

  private final ControlCommands commands;
  private final ControlPolicy policy;
  private final DispatcherEvents events;
  private final BoundedHandlers handlers;
  private final ReplyLimits replyLimits;
  private final String nodeId;
  private final Notifier notifier;
  private final ObjectMapper mapper;
  private final Chunker chunker = new Chunker();

  public ControlResponder(ControlCommands commands, ControlPolicy policy, DispatcherEvents events, Limits limits, String nodeId,
      Notifier notifier, ObjectMapper mapper) {
    this.commands = commands;
    this.policy = policy;
    this.events = events;
    this.handlers = new BoundedHandlers(limits.maxHandlers(), limits.maxBusyReplies(), events);
    this.replyLimits = limits.replies();
    this.nodeId = nodeId;
    this.notifier = notifier;
    this.mapper = mapper;
  }

  /** From the dispatch thread: never blocks. */
  public void accept(ObjectNode message, String channel) {
    events.controlReceived();
    JsonNode commandNode = message.get("control");
    String command = commandNode != null && commandNode.isTextual() ? commandNode.textValue() : String.valueOf(commandNode);
    JsonNode replyToNode = message.get("reply_to");
    String replyTo = null;
    if (replyToNode != null && !replyToNode.isNull()) {
      if (!replyToNode.isTextual() || !policy.acceptsReplyTo(replyToNode.textValue())) {
        events.controlRefused(Refusal.BAD_REPLY_TO);
        log.warn("control command {} on {} dropped, not run: reply_to {} does not match control.reply_to_pattern",
            UntrustedText.of(command), UntrustedText.of(channel), UntrustedText.of(replyToNode));
        return;
      }
      replyTo = replyToNode.textValue();
    }
    Request request = new Request(command, replyTo, message, channel);
    switch (handlers.submit(() -> answer(request), () -> answerBusy(request))) {
      case HANDLED -> { }
      case BUSY -> events.controlRefused(Refusal.BUSY);
      case DROPPED -> {
        events.controlRefused(Refusal.OVERLOADED);
        log.warn("control command {} on {} dropped: {} handlers and every busy reply in use", UntrustedText.of(command),
            UntrustedText.of(channel), handlers.maxHandlers());
      }
    }
  }

  private void answer(Request request) {
    Optional<Command> known = Command.of(request.command());
    ObjectNode reply;
    if (known.isEmpty()) {
      reply = error(new ControlCommands.UnknownCommandException(request.command()).getMessage());
    } else {
      reply = switch (policy.check(known.get(), request.message(), request.channel())) {
        case Verdict.Allowed allowed -> run(known.get(), request);
        case Verdict.Refused refused -> {
          events.controlRefused(refused.reason());
          log.warn("control command {} on {} refused ({}): {}", request.command(), UntrustedText.of(request.channel()),
              refused.reason().label(), refused.message());
          yield error(refused.message());
        }
      };
    }
    send(request, reply);
  }

  private ObjectNode run(Command command, Request request) {
    try {
      return commands.run(command, request.message().get("control_data"));
    } catch (IllegalArgumentException e) {
      return error(e.getMessage());
    } catch (RuntimeException e) {
      log.warn("control command {} failed: {}", command.wireName(), e.toString(), e);
      return error(e.toString());
    }
  }

  private void answerBusy(Request request) {
    log.warn("control command {} on {} answered busy: {} handlers in use", UntrustedText.of(request.command()),
        UntrustedText.of(request.channel()), handlers.maxHandlers());
    send(request, error("busy: this daemon is already handling " + handlers.maxHandlers()
        + " control commands (control.max_handlers); try again"));
  }

  private void send(Request request, ObjectNode reply) {
    reply.put("node_id", nodeId);
    String command = UntrustedText.of(request.command());
    String channel = UntrustedText.of(request.channel());
    String outcome = reply.has("error") ? ": " + UntrustedText.of(reply.get("error").asText()) : "";
    if (request.replyTo() == null) {
      log.info("control command {} on {} (no reply_to){}", command, channel, outcome);
      return;
    }
    try {
      byte[] bytes = mapper.writeValueAsBytes(reply);
      if (bytes.length > replyLimits.maxBytes()) {
        log.warn("control command {} on {}: reply of {} bytes withheld, over control.max_reply_kib", command, channel, bytes.length);
        ObjectNode withheld = error("the reply of " + bytes.length + " bytes is over this daemon's limit of " + replyLimits.maxBytes()
            + " bytes (control.max_reply_kib) and was withheld; the command itself was carried out");
        withheld.put("node_id", nodeId);
        bytes = mapper.writeValueAsBytes(withheld);
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      List<Notification> notifications = new ArrayList<>();
      for (String payload : chunker.split(text)) {
        notifications.add(new Notification(request.replyTo(), payload));
      }
      notifier.send(notifications);
      log.info("control command {} on {}: replied on {} ({} bytes{}){}", command, channel, request.replyTo(), bytes.length,
          notifications.size() > 1 ? ", " + notifications.size() + " chunks" : "", outcome);
    } catch (JsonProcessingException | java.sql.SQLException | RuntimeException e) {
      log.warn("control command {}: could not reply on {}: {}", command, request.replyTo(), UntrustedText.of(e.getMessage()));
    }
  }

  private ObjectNode error(String message) {
    ObjectNode reply = mapper.createObjectNode();
    reply.put("error", message);
    return reply;
  }
}
