package dev.dispatcher.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;

/**
 * {@code GET /api/v1/nodes}: a roll call over the control plane. The read-only command {@code main}
 * goes to each of this daemon's channels; every daemon listening on one answers within {@link #WAIT}
 * (this one too). One roll call at a time: it holds a connection for the wait.
 */
final class Nodes {

  static final Duration WAIT = Duration.ofSeconds(1);
  /** Replies waited for per channel at most: a roll call ends at {@link #WAIT} anyway. */
  private static final int MAX_REPLIES = 1000;

  private final ControlClient control;
  private final List<String> channels;
  private final ObjectMapper mapper;
  private final Semaphore one = new Semaphore(1);

  Nodes(ControlClient control, List<String> channels, ObjectMapper mapper) {
    this.control = control;
    this.channels = channels;
    this.mapper = mapper;
  }

  ObjectNode rollCall() {
    if (!one.tryAcquire()) {
      throw new ApiProblem(503, "a roll call is under way; try again in a second", Map.of(), Map.of("Retry-After", "1"));
    }
    try {
      Map<String, ObjectNode> byNode = new TreeMap<>();
      for (String channel : channels) {
        for (ControlReply reply : control.send(channel, "main", Map.of(), MAX_REPLIES, WAIT)) {
          ObjectNode node = byNode.computeIfAbsent(String.valueOf(reply.nodeId()), id -> {
            ObjectNode fresh = mapper.createObjectNode();
            fresh.put("node_id", id);
            fresh.putArray("channels");
            Map<String, Object> body = reply.body();
            for (String key : List.of("health", "max_workers", "running", "queued", "delayed", "backlog", "received")) {
              if (body.containsKey(key)) {
                fresh.set(key, mapper.valueToTree(body.get(key)));
              }
            }
            return fresh;
          });
          ((ArrayNode) node.get("channels")).add(channel);
        }
      }
      ObjectNode reply = mapper.createObjectNode();
      reply.set("nodes", mapper.valueToTree(byNode.values()));
      reply.put("waited_ms", WAIT.toMillis() * channels.size());
      return reply;
    } finally {
      one.release();
    }
  }
}
