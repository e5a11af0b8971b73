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
 * Writes a task's {@code args} and {@code kwargs} as JSON, for the task message and for a durable
 * row alike. Scalars are written directly (this is the publisher's hot path); any other value is
 * written by Jackson.
 *
 * <p>An argument in which Jackson finds no property (a class with private fields and no getters, a
 * bare {@code new Object()}) is refused, even when the mapper allows empty beans: it would travel
 * as {@code {}} and the task would run on empty data. Empty maps, lists and records without
 * components are written as {@code {}} and {@code []}: that is all they hold.
 */
final class ArgumentWriter {

  /** Jackson's text for a class it found no property in (UnknownSerializer). */
  private static final String NO_PROPERTIES = "No serializer found for class";

  private final ObjectWriter writer;

  ArgumentWriter(ObjectMapper mapper) {
    // WireFormat's mapper allows empty beans (the daemon writes replies with it); arguments may not
    this.writer = mapper.writer().with(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  /**
   * Appends {@code [a, b, …]}.
   *
   * @throws IllegalArgumentException as {@link #appendValue}
   */
  void appendArgs(StringBuilder json, List<?> args) {
    json.append('[');
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      appendValue(json, args.get(i), "args[" + i + "]");
    }
    json.append(']');
  }

  /**
   * Appends {@code {"name": value, …}} in the map's order.
   *
   * @throws IllegalArgumentException as {@link #appendValue}
   */
  void appendKwargs(StringBuilder json, Map<String, ?> kwargs) {
    json.append('{');
    boolean first = true;
    for (Map.Entry<String, ?> entry : kwargs.entrySet()) {
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

  /**
   * Appends one argument.
   *
   * @param where the argument, for the error: {@code args[1]}, {@code kwargs.to}
   * @throws IllegalArgumentException when the value cannot be written as JSON, or would be written
   *     as an empty object although it is not empty, naming it and its type
   */
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
