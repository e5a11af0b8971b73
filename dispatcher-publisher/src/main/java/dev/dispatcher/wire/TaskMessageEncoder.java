package dev.dispatcher.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Writes task messages in the wire format's key order: uuid, args, kwargs, task, time_pub, options. */
public final class TaskMessageEncoder {

  /** Everything a task message carries; empty args/kwargs and zero options are omitted. */
  public record Fields(
      String uuid,
      String task,
      List<?> args,
      Map<String, ?> kwargs,
      double timePub,
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
    StringWriter out = new StringWriter(128);
    try (JsonGenerator json = mapper.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField(WireFormat.UUID, fields.uuid());
      if (fields.args() != null && !fields.args().isEmpty()) {
        json.writeFieldName(WireFormat.ARGS);
        json.writeStartArray();
        for (int i = 0; i < fields.args().size(); i++) {
          writeValue(json, fields.args().get(i), "args[" + i + "]");
        }
        json.writeEndArray();
      }
      if (fields.kwargs() != null && !fields.kwargs().isEmpty()) {
        json.writeFieldName(WireFormat.KWARGS);
        json.writeStartObject();
        for (Map.Entry<String, ?> entry : fields.kwargs().entrySet()) {
          json.writeFieldName(entry.getKey());
          writeValue(json, entry.getValue(), "kwargs." + entry.getKey());
        }
        json.writeEndObject();
      }
      json.writeStringField(WireFormat.TASK, fields.task());
      json.writeNumberField(WireFormat.TIME_PUB, fields.timePub());
      if (fields.timeoutSeconds() > 0) {
        json.writeNumberField(WireFormat.TIMEOUT, fields.timeoutSeconds());
      }
      if (fields.delaySeconds() > 0) {
        json.writeNumberField(WireFormat.DELAY, fields.delaySeconds());
      }
      if (fields.onDuplicate() != null && !"parallel".equals(fields.onDuplicate())) {
        json.writeStringField(WireFormat.ON_DUPLICATE, fields.onDuplicate());
      }
      if (fields.bind()) {
        json.writeBooleanField(WireFormat.BIND, true);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private void writeValue(JsonGenerator json, Object value, String where) throws IOException {
    try {
      mapper.writeValue(json, value);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "task argument " + where + " (" + (value == null ? "null" : value.getClass().getName())
              + ") cannot be written as JSON: " + e.getMessage(), e);
    }
  }
}
