package dev.dispatcher.service.cli;

import dev.dispatcher.control.ControlReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compact form of {@code ctl status} replies: in {@code workers} only the slots that are not
 * ready, after a one-line summary of all of them; in {@code running} only the running tasks, with
 * the waiting ones counted. A daemon with 32 workers and a full queue then prints a screenful, not
 * hundreds of lines; {@code --verbose} prints the replies as they came. Replies of another shape
 * (a Python daemon's, an error) pass through unchanged where they do not fit.
 */
final class StatusSummary {

  private StatusSummary() {}

  static List<ControlReply> compact(List<ControlReply> replies) {
    List<ControlReply> compacted = new ArrayList<>(replies.size());
    for (ControlReply reply : replies) {
      compacted.add(new ControlReply(reply.nodeId(), compact(reply.body())));
    }
    return compacted;
  }

  static Map<String, Object> compact(Map<String, Object> body) {
    Map<String, Object> copy = new LinkedHashMap<>(body);
    if (body.get("workers") instanceof Map<?, ?> workers) {
      copy.put("workers", workers(workers));
    }
    if (body.get("running") instanceof Map<?, ?> running) {
      copy.put("running", running(running));
    }
    return copy;
  }

  private static Map<String, Object> workers(Map<?, ?> workers) {
    Map<String, Object> busy = new LinkedHashMap<>();
    int slots = 0;
    for (Map.Entry<?, ?> entry : workers.entrySet()) {
      String key = String.valueOf(entry.getKey());
      if (!key.startsWith("worker-")) {
        busy.put(key, entry.getValue()); // e.g. truncated
        continue;
      }
      slots++;
      if (!(entry.getValue() instanceof Map<?, ?> worker) || !"ready".equals(worker.get("status"))) {
        busy.put(key, entry.getValue());
      }
    }
    long notReady = busy.keySet().stream().filter(key -> key.startsWith("worker-")).count();
    Map<String, Object> compacted = new LinkedHashMap<>();
    compacted.put("summary", slots + " slots: " + notReady + " busy, " + (slots - notReady) + " ready (--verbose lists every slot)");
    compacted.putAll(busy);
    return compacted;
  }

  private static Map<String, Object> running(Map<?, ?> running) {
    Map<String, Object> kept = new LinkedHashMap<>();
    Map<String, Integer> waiting = new LinkedHashMap<>();
    waiting.put("queued", 0);
    waiting.put("blocked", 0);
    waiting.put("delayed", 0);
    for (Map.Entry<?, ?> entry : running.entrySet()) {
      String key = String.valueOf(entry.getKey());
      String place = key.contains("-") ? key.substring(0, key.lastIndexOf('-')) : key;
      if (waiting.containsKey(place)) {
        waiting.merge(place, 1, Integer::sum);
      } else {
        kept.put(key, entry.getValue()); // worker-<slot>, truncated
      }
    }
    int total = waiting.values().stream().mapToInt(Integer::intValue).sum();
    if (total == 0) {
      return kept;
    }
    Map<String, Object> compacted = new LinkedHashMap<>();
    compacted.put("summary", waiting.get("queued") + " queued, " + waiting.get("blocked") + " blocked, " + waiting.get("delayed")
        + " delayed (ctl running or --verbose lists them)");
    compacted.putAll(kept);
    return compacted;
  }
}
