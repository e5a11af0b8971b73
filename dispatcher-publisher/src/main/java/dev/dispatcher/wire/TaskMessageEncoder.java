package dev.dispatcher.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes task messages in the wire format's key order: uuid, args, kwargs, task, time_pub, then
 * the options that are set. The envelope is written directly (this is the publisher's hot path);
 * arguments as {@link ArgumentWriter} writes them, which refuses one that would arrive as an empty
 * object.
 */
public final class TaskMessageEncoder {

  /**
   * Everything a task message carries; empty args/kwargs and zero options are omitted.
   *
   * @param timePub publish time; written as seconds since the epoch with microseconds
   */
  public record Fields(
      String uuid,
      String task,
      List<?> args,
      Map<String, ?> kwargs,
      Instant timePub,
      double timeoutSeconds,
      double delaySeconds,
      String onDuplicate,
      boolean bind,
      String client) {

    /** A message without a client. */
    public Fields(String uuid, String task, List<?> args, Map<String, ?> kwargs, Instant timePub, double timeoutSeconds,
        double delaySeconds, String onDuplicate, boolean bind) {
      this(uuid, task, args, kwargs, timePub, timeoutSeconds, delaySeconds, onDuplicate, bind, null);
    }
  }

  private final ArgumentWriter arguments;

  public TaskMessageEncoder(ObjectMapper mapper) {
    this.arguments = new ArgumentWriter(mapper);
  }

  /**
   * Encodes one message.
   *
   * @throws IllegalArgumentException when an argument cannot be written as JSON, or would be
   *     written as an empty object although it is not empty, naming it and its type
   */
  public String encode(Fields fields) {
    StringBuilder json = new StringBuilder(160);
    json.append("{\"").append(WireFormat.UUID).append("\":");
    JsonText.appendString(json, fields.uuid());
    if (fields.args() != null && !fields.args().isEmpty()) {
      json.append(",\"").append(WireFormat.ARGS).append("\":");
      arguments.appendArgs(json, fields.args());
    }
    if (fields.kwargs() != null && !fields.kwargs().isEmpty()) {
      json.append(",\"").append(WireFormat.KWARGS).append("\":");
      arguments.appendKwargs(json, fields.kwargs());
    }
    json.append(",\"").append(WireFormat.TASK).append("\":");
    JsonText.appendString(json, fields.task());
    json.append(",\"").append(WireFormat.TIME_PUB).append("\":");
    appendEpochSeconds(json, fields.timePub());
    if (fields.timeoutSeconds() > 0) {
      json.append(",\"").append(WireFormat.TIMEOUT).append("\":").append(fields.timeoutSeconds());
    }
    if (fields.delaySeconds() > 0) {
      json.append(",\"").append(WireFormat.DELAY).append("\":").append(fields.delaySeconds());
    }
    if (fields.onDuplicate() != null) { // null: the task's default applies
      json.append(",\"").append(WireFormat.ON_DUPLICATE).append("\":");
      JsonText.appendString(json, fields.onDuplicate());
    }
    if (fields.bind()) {
      json.append(",\"").append(WireFormat.BIND).append("\":true");
    }
    if (fields.client() != null) { // ours: a Python daemon keeps it as an unknown key
      json.append(",\"").append(WireFormat.CLIENT).append("\":");
      JsonText.appendString(json, fields.client());
    }
    return json.append('}').toString();
  }

  /** {@code 1763882123.456789}: plain notation (Double.toString would give 1.76E9), microseconds. */
  static void appendEpochSeconds(StringBuilder json, Instant instant) {
    int micros = instant.getNano() / 1000;
    json.append(instant.getEpochSecond()).append('.');
    for (int scale = 100_000; scale > 1 && micros < scale; scale /= 10) {
      json.append('0');
    }
    json.append(micros);
  }
}
