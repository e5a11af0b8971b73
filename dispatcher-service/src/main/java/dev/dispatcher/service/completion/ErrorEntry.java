package dev.dispatcher.service.completion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.log.UntrustedText;
import java.time.Instant;

/** One entry of a row's {@code errors}: when, which attempt, where, what kind, what, and the top of the stack. */
final class ErrorEntry {

  private ErrorEntry() {}

  /** @param kind {@code failed} or {@code timed_out} */
  static String json(ObjectMapper mapper, Instant at, int attempt, String nodeId, String kind, Throwable error) {
    ObjectNode entry = mapper.createObjectNode();
    entry.put("at", at.toString());
    entry.put("attempt", attempt);
    entry.put("node", nodeId);
    entry.put("kind", kind);
    entry.put("error", error == null ? kind.equals("timed_out") ? "timed out" : "failed"
        : UntrustedText.of(error.toString(), DurableCompleter.MAX_ERROR_CHARS));
    if (error != null) {
      StringBuilder stack = new StringBuilder();
      StackTraceElement[] frames = error.getStackTrace();
      for (int i = 0; i < Math.min(frames.length, DurableCompleter.MAX_STACK_FRAMES); i++) {
        stack.append(i == 0 ? "" : "\n").append("at ").append(frames[i]);
      }
      if (frames.length > DurableCompleter.MAX_STACK_FRAMES) {
        stack.append("\n... ").append(frames.length - DurableCompleter.MAX_STACK_FRAMES).append(" more");
      }
      entry.put("stack", stack.toString());
    }
    return entry.toString();
  }
}
