package dev.dispatcher.service.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.wire.Notification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Packs status events into NOTIFY payloads: per channel, a JSON array of event objects in the order
 * the events came, as many to a payload as fit in {@value #MAX_PAYLOAD_BYTES} bytes (Postgres takes
 * fewer than 8000). Every text field is cut to a bound first, so one event always fits.
 */
public final class EventPayloads {

  /** Payload bytes at most, below Postgres's limit of 8000. */
  public static final int MAX_PAYLOAD_BYTES = 7900;
  static final int MAX_TASK_CHARS = 200;
  static final int MAX_ERROR_CHARS = 200;

  private final ObjectMapper mapper;

  public EventPayloads(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The notifications for these events, each event sent to every channel {@code channelsOf} gives it. */
  public List<Notification> pack(List<StatusEvent> events, Function<StatusEvent, List<String>> channelsOf) {
    Map<String, List<String>> byChannel = new LinkedHashMap<>();
    for (StatusEvent event : events) {
      String json = json(event);
      for (String channel : channelsOf.apply(event)) {
        byChannel.computeIfAbsent(channel, c -> new ArrayList<>()).add(json);
      }
    }
    List<Notification> notifications = new ArrayList<>();
    byChannel.forEach((channel, jsons) -> {
      StringBuilder payload = new StringBuilder(MAX_PAYLOAD_BYTES).append('[');
      int bytes = 2;
      for (String json : jsons) {
        int size = json.getBytes(StandardCharsets.UTF_8).length;
        if (payload.length() > 1 && bytes + 1 + size > MAX_PAYLOAD_BYTES) {
          notifications.add(new Notification(channel, payload.append(']').toString()));
          payload.setLength(1);
          bytes = 2;
        }
        if (payload.length() > 1) {
          payload.append(',');
          bytes++;
        }
        payload.append(json);
        bytes += size;
      }
      notifications.add(new Notification(channel, payload.append(']').toString()));
    });
    return notifications;
  }

  /** One event object: the shape docs/wire-format.md documents. */
  String json(StatusEvent event) {
    ObjectNode node = mapper.createObjectNode();
    node.put("uuid", cut(event.uuid(), 100));
    node.put("task", cut(event.task(), MAX_TASK_CHARS));
    node.put("event", event.kind().wireName());
    node.put("durable", event.durable());
    if (event.durable()) {
      node.put("attempt", event.attempt());
    }
    node.put("node", cut(event.node(), 100));
    node.put("at", event.at().toString());
    if (event.error() != null) {
      node.put("error", cut(event.error(), MAX_ERROR_CHARS));
    }
    if (event.runAt() != null) {
      node.put("run_at", event.runAt().toString());
    }
    return node.toString();
  }

  /** At most {@code limit} characters (a surrogate pair is never split); JSON escapes whatever the text holds. */
  static String cut(String text, int limit) {
    if (text == null || text.length() <= limit) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
    return text.substring(0, end);
  }
}
