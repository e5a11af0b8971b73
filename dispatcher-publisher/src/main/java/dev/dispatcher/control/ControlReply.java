package dev.dispatcher.control;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One daemon's answer to a control message.
 *
 * @param nodeId the replying daemon's {@code node_id}, or null when the reply did not carry one
 * @param body the whole reply object as it arrived, {@code node_id} included, in its key order
 */
public record ControlReply(String nodeId, Map<String, Object> body) {

  public ControlReply {
    Objects.requireNonNull(body, "body");
    body = Collections.unmodifiableMap(new LinkedHashMap<>(body));
  }

  /** True when the daemon reported a failure: an unknown command or a command that failed. */
  public boolean isError() {
    return body.containsKey("error");
  }

  /** The daemon's error message, or null when this is not an error reply. */
  public String errorMessage() {
    Object error = body.get("error");
    return error == null ? null : error.toString();
  }
}
