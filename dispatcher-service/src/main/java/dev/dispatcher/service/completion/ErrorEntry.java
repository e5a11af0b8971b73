package dev.dispatcher.service.completion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.log.UntrustedText;
import java.time.Instant;

/** One entry of a row's {@code errors}: when, which attempt, where, what kind, what, and the top of the stack. */
final class ErrorEntry {

  private ErrorEntry() {}

  /** What failed, in words: the error, or the kind of failure when there is no error. */
  static String text(Throwable error, String kind) {
    return error == null ? kind.equals("timed_out") ? "timed out" : "failed" : error.toString();
  }

  /** @param kind {@code failed} or {@code timed_out} */
  static String json(ObjectMapper mapper, Instant at, int attempt, String nodeId, String kind, Throwable error) {
    ObjectNode entry = mapper.createObjectNode();
    entry.put("at", at.toString());
    entry.put("attempt", attempt);
    entry.put("node", nodeId);
    entry.put("kind", kind);
    entry.put("error", UntrustedText.of(text(error, kind), DurableCompleter.MAX_ERROR_CHARS));
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
