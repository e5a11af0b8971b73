package dev.dispatcher.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * Writes task messages in the wire format's key order: uuid, args, kwargs, task, time_pub, then
 * the options that are set. The envelope and scalar arguments are written directly (this is the
 * publisher's hot path); any other argument value is written by Jackson.
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
      java.time.Instant timePub,
      double timeoutSeconds,
      double delaySeconds,
      String onDuplicate,
      boolean bind) {}

  private final ObjectMapper mapper;

  public TaskMessageEncoder(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Encodes one message.
   *
   * @throws IllegalArgumentException when an argument cannot be written as JSON, naming it
   */
  public String encode(Fields fields) {
    StringBuilder json = new StringBuilder(160);
    json.append("{\"").append(WireFormat.UUID).append("\":");
    JsonText.appendString(json, fields.uuid());
    if (fields.args() != null && !fields.args().isEmpty()) {
      json.append(",\"").append(WireFormat.ARGS).append("\":[");
      for (int i = 0; i < fields.args().size(); i++) {
        if (i > 0) {
          json.append(',');
        }
        appendValue(json, fields.args().get(i), "args[" + i + "]");
      }
      json.append(']');
    }
    if (fields.kwargs() != null && !fields.kwargs().isEmpty()) {
      json.append(",\"").append(WireFormat.KWARGS).append("\":{");
      boolean first = true;
      for (Map.Entry<String, ?> entry : fields.kwargs().entrySet()) {
        if (!first) {
          json.append(',');
        }
        first = false;
        JsonText.appendString(json, entry.getKey());
        json.append(':');
        appendValue(json, entry.getValue(), "kwargs." + entry.getKey());
      }
      json.append('}');
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
    return json.append('}').toString();
  }

  /** {@code 1763882123.456789}: plain notation (Double.toString would give 1.76E9), microseconds. */
  private static void appendEpochSeconds(StringBuilder json, java.time.Instant instant) {
    int micros = instant.getNano() / 1000;
    json.append(instant.getEpochSecond()).append('.');
    for (int scale = 100_000; scale > 1 && micros < scale; scale /= 10) {
      json.append('0');
    }
    json.append(micros);
  }

  private void appendValue(StringBuilder json, Object value, String where) {
    // if/else rather than a pattern switch: the library is built for Java 17
    if (value == null) {
      json.append("null");
    } else if (value instanceof String text) {
      JsonText.appendString(json, text);
    } else if (value instanceof Long number) {
      json.append(number.longValue());
    } else if (value instanceof Integer number) {
      json.append(number.intValue());
    } else if (value instanceof Boolean flag) {
      json.append(flag.booleanValue());
    } else if (value instanceof Double number && Double.isFinite(number)) {
      json.append(number.doubleValue());
    } else {
      try {
        json.append(mapper.writeValueAsString(value));
      } catch (JsonProcessingException | RuntimeException e) {
        throw new IllegalArgumentException("task argument " + where + " (" + value.getClass().getName()
            + ") cannot be written as JSON: " + e.getMessage(), e);
      }
    }
  }
}
