package dev.dispatcher.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes task messages in the wire format's key order: uuid, args, kwargs, task, time_pub, then
 * the options that are set. The envelope and scalar arguments are written directly (this is the
 * publisher's hot path); any other argument value is written by Jackson.
 *
 * <p>An argument in which Jackson finds no property (a class with private fields and no getters, a
 * bare {@code new Object()}) is refused, even when the mapper allows empty beans: it would travel
 * as {@code {}} and the task would run on empty data. Empty maps, lists and records without
 * components are sent as {@code {}} and {@code []}: that is all they hold.
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

  /** Jackson's text for a class it found no property in (UnknownSerializer). */
  private static final String NO_PROPERTIES = "No serializer found for class";

  private final ObjectWriter writer;

  public TaskMessageEncoder(ObjectMapper mapper) {
    // WireFormat's mapper allows empty beans (the daemon writes replies with it); arguments may not
    this.writer = mapper.writer().with(SerializationFeature.FAIL_ON_EMPTY_BEANS);
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
        json.append(writer.writeValueAsString(value));
      } catch (InvalidDefinitionException e) {
        throw new IllegalArgumentException(emptyBeanMessage(e, value, where)
            .orElseGet(() -> unwritable(value, where, e)), e);
      } catch (JsonProcessingException | RuntimeException e) {
        throw new IllegalArgumentException(unwritable(value, where, e), e);
      }
    }
  }

  private static String unwritable(Object value, String where, Exception e) {
    return "task argument " + where + " (" + value.getClass().getName() + ") cannot be written as JSON: " + e.getMessage();
  }

  /**
   * For Jackson's "no properties" failure: which value (the argument, or a value inside it, by its
   * path) would have been sent as {@code {}}, and what to do about it.
   */
  private static Optional<String> emptyBeanMessage(InvalidDefinitionException e, Object value, String where) {
    String original = e.getOriginalMessage();
    if (original == null || !original.startsWith(NO_PROPERTIES)) {
      return Optional.empty();
    }
    StringBuilder path = new StringBuilder(where);
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      } else if (reference.getFieldName() != null) {
        path.append('.').append(reference.getFieldName());
      }
    }
    String empty = e.getType() != null ? e.getType().getRawClass().getName() : value.getClass().getName();
    String inside = path.length() == where.length() ? "" : ": " + path + " (" + empty + ")";
    return Optional.of("task argument " + where + " (" + value.getClass().getName() + ")" + inside
        + " would be sent as {}: Jackson finds no property in " + empty
        + " (no public field or getter), so the task would run without its data."
        + " Make it a record, give it getters, or annotate its fields with @JsonProperty");
  }
}
