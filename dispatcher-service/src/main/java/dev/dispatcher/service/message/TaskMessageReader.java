package dev.dispatcher.service.message;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.WireFormat;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one reader of task messages, with one set of rules for every source: notification text
 * from the listener, and trees (control {@code run}, callbacks and errbacks, schedules and
 * on-start tasks). It streams over the known keys, checking their types and the delay and timeout
 * limits, and reads {@code args} and {@code kwargs} as trees; unknown keys stay in {@link
 * TaskMessage#raw()}, which for text is built only when someone asks for it. Thread-safe.
 *
 * <p>Text is first offered to the {@link PlainMessageScanner}, a one-pass scanner for the plain
 * messages that are nearly all of the traffic; it gives the same message the Jackson path would,
 * or nothing, and then the Jackson path reads the text and, for a bad message, says what is
 * wrong with it. The scanner is used only with a mapper that reads JSON as it assumes.
 */
public final class TaskMessageReader {

  /** Thrown for text that is a control message or a chunk envelope: the caller routes it elsewhere. */
  public static final class NotATaskMessage extends RuntimeException {
    NotATaskMessage() {
      super("not a task message", null, false, false);
    }
  }

  private static final NotATaskMessage NOT_A_TASK_MESSAGE = new NotATaskMessage();

  private final ObjectMapper mapper;
  /** Reads nested values in the middle of a message: the rest of the message is not "trailing". */
  private final ObjectReader subtrees;
  private final MessageLimits limits;
  /** The fast path for text; null when the mapper reads JSON otherwise than the scanner assumes. */
  private final PlainMessageScanner plain;
  private final AtomicLong internalIds = new AtomicLong();

  public TaskMessageReader(ObjectMapper mapper, MessageLimits limits) {
    this.mapper = mapper;
    this.subtrees = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.limits = limits;
    this.plain = PlainMessageScanner.agreesWith(mapper) ? new PlainMessageScanner(mapper.getNodeFactory(), limits) : null;
  }

  /**
   * A task message from notification text. A message without a uuid gets {@code internal-<n>}
   * (as the Python dispatcher names them).
   *
   * @throws NotATaskMessage when the text is a control message or a chunk envelope
   * @throws BadMessageException when it is not a usable task message, saying why
   */
  public TaskMessage read(String payload, String channel) {
    Fields fields = plain != null ? plain.scan(payload) : null;
    if (fields == null) {
      return readWithJackson(payload, channel);
    }
    return fromText(payload, channel, fields, MessageSize.of(payload, fields.argumentBytes));
  }

  /**
   * {@link #read(String, String)} without the fast path: the reference the scanner is held to,
   * and what reads (and explains) everything it leaves.
   */
  TaskMessage readWithJackson(String payload, String channel) {
    Fields fields;
    try (JsonParser json = mapper.createParser(payload)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new BadMessageException("not a JSON object: " + excerpt(payload));
      }
      fields = readFields(json, true);
      if (json.nextToken() != null) {
        throw new BadMessageException("trailing text after the JSON object: " + excerpt(payload));
      }
    } catch (JsonProcessingException e) {
      throw new BadMessageException("not JSON (" + e.getOriginalMessage() + "): " + excerpt(payload));
    } catch (BadMessageException e) {
      throw e.uuid() != null ? e : new BadMessageException(e.getMessage(), uuidOf(payload));
    } catch (IOException e) {
      throw new BadMessageException("unreadable: " + e.getMessage());
    }
    return fromText(payload, channel, fields, MessageSize.of(payload, fields.args, fields.kwargs));
  }

  private TaskMessage fromText(String payload, String channel, Fields fields, long memoryBytes) {
    String uuid = fields.uuid != null ? fields.uuid : "internal-" + internalIds.incrementAndGet();
    String generated = fields.uuid == null ? uuid : null;
    return new TaskMessage(uuid, fields.task, fields.args(), fields.kwargs(), fields.options(), channel, memoryBytes,
        () -> rawTree(payload, channel, generated));
  }

  /**
   * A task message from a tree, which becomes its {@link TaskMessage#raw()} ({@code uuid} and
   * {@code channel} are put into it).
   *
   * @param fallbackUuid used when the message has no uuid; null for {@code internal-<n>}
   * @throws BadMessageException when it is not a usable task message, saying why
   */
  public TaskMessage read(ObjectNode message, String channel, String fallbackUuid) {
    Fields fields;
    try (JsonParser json = message.traverse(mapper)) {
      json.nextToken();
      fields = readFields(json, false);
    } catch (BadMessageException e) {
      JsonNode uuid = message.get(WireFormat.UUID);
      throw new BadMessageException(e.getMessage(), uuid != null && uuid.isTextual() ? uuid.asText() : null);
    } catch (IOException e) {
      throw new BadMessageException("unreadable: " + e.getMessage());
    }
    String uuid = fields.uuid != null ? fields.uuid : fallbackUuid != null ? fallbackUuid : "internal-" + internalIds.incrementAndGet();
    if (fields.uuid == null) {
      message.put(WireFormat.UUID, uuid);
    }
    if (channel != null) {
      message.put(WireFormat.CHANNEL, channel);
    }
    return new TaskMessage(uuid, fields.task, fields.args(), fields.kwargs(), fields.options(), channel, MessageSize.of(message),
        () -> message);
  }

  /** The known keys as read; the rest of the message is skipped. */
  static final class Fields {
    String uuid;
    String task;
    ArrayNode args;
    ObjectNode kwargs;
    double timePub = Double.NaN;
    double timeout;
    double delay;
    OnDuplicate onDuplicate = OnDuplicate.PARALLEL;
    boolean onDuplicateGiven;
    boolean followUps;
    /** {@link MessageSize#tree} of args plus kwargs, as the {@link PlainMessageScanner} counts it; unset on the Jackson path. */
    long argumentBytes;

    ArrayNode args() {
      return args != null ? args : JsonNodeFactory.instance.arrayNode();
    }

    ObjectNode kwargs() {
      return kwargs != null ? kwargs : JsonNodeFactory.instance.objectNode();
    }

    TaskMessage.Options options() {
      return new TaskMessage.Options(timePub, timeout, delay, onDuplicate, onDuplicateGiven, followUps);
    }
  }

  /** The rules, once: the parser is on START_OBJECT; it ends on the matching END_OBJECT. */
  private Fields readFields(JsonParser json, boolean fromText) throws IOException {
    Fields fields = new Fields();
    for (JsonToken token = json.nextToken(); token == JsonToken.FIELD_NAME; token = json.nextToken()) {
      String key = json.currentName();
      JsonToken value = json.nextToken();
      switch (key) {
        case WireFormat.TASK -> {
          if (value != JsonToken.VALUE_STRING || json.getText().isBlank()) {
            throw wrong(json, value, "'task' must be a non-empty string");
          }
          fields.task = json.getText();
        }
        case WireFormat.UUID -> {
          if (value == JsonToken.VALUE_NULL) {
            fields.uuid = null;
          } else if (value == JsonToken.VALUE_STRING && !json.getText().isBlank()) {
            fields.uuid = json.getText();
          } else {
            throw wrong(json, value, "'uuid' must be a non-empty string");
          }
        }
        case WireFormat.ARGS -> {
          if (value == JsonToken.START_ARRAY) {
            fields.args = readArray(json);
          } else if (value != JsonToken.VALUE_NULL) {
            throw wrong(json, value, "'args' must be an array");
          }
        }
        case WireFormat.KWARGS -> {
          if (value == JsonToken.START_OBJECT) {
            fields.kwargs = readObject(json);
          } else if (value != JsonToken.VALUE_NULL) {
            throw wrong(json, value, "'kwargs' must be an object");
          }
        }
        case WireFormat.TIME_PUB -> {
          if (value.isNumeric()) {
            fields.timePub = json.getDoubleValue();
          } else if (value != JsonToken.VALUE_NULL) {
            throw wrong(json, value, "'time_pub' must be a number");
          }
        }
        case WireFormat.TIMEOUT -> fields.timeout = bounded(json, value, key, limits.maxTimeoutSeconds());
        case WireFormat.DELAY -> fields.delay = bounded(json, value, key, limits.maxDelaySeconds());
        case WireFormat.ON_DUPLICATE -> {
          if (value == JsonToken.VALUE_NULL) {
            break;
          }
          if (!value.isScalarValue()) {
            throw wrong(json, value, "'on_duplicate' must be a string");
          }
          try {
            fields.onDuplicate = OnDuplicate.fromWire(json.getText());
            fields.onDuplicateGiven = true;
          } catch (IllegalArgumentException e) {
            throw new BadMessageException(e.getMessage());
          }
        }
        case WireFormat.CALLBACKS, WireFormat.ERRBACKS -> {
          fields.followUps |= value != JsonToken.VALUE_NULL;
          json.skipChildren(); // read from the raw tree when the task is done
        }
        case WireFormat.CONTROL, WireFormat.DOORBELL, Chunker.MARKER_KEY -> {
          if (fromText) {
            throw NOT_A_TASK_MESSAGE;
          }
          json.skipChildren();
        }
        default -> json.skipChildren(); // unknown keys stay in the raw message
      }
    }
    if (fields.task == null) {
      throw new BadMessageException("'task' must be a non-empty string, found nothing");
    }
    return fields;
  }

  private double bounded(JsonParser json, JsonToken value, String key, double maxSeconds) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return 0;
    }
    if (!value.isNumeric()) {
      throw wrong(json, value, "'" + key + "' must be a number");
    }
    double seconds = json.getDoubleValue();
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      throw new BadMessageException("'" + key + "' must be a finite number >= 0, found " + seconds);
    }
    if (seconds > maxSeconds) {
      throw new BadMessageException("'" + key + "' of " + seconds + " s exceeds limits.max_" + key + " (" + maxSeconds + " s)");
    }
    return seconds;
  }

  /** The value at the parser, as text for an error message (read whole, then cut). */
  private BadMessageException wrong(JsonParser json, JsonToken value, String rule) throws IOException {
    JsonNode found = value == JsonToken.VALUE_NULL ? null : subtrees.readTree(json);
    return new BadMessageException(rule + ", found " + (found == null ? "null" : shortText(found)));
  }

  /** The array at the parser (on START_ARRAY), as Jackson's tree would hold it. */
  private ArrayNode readArray(JsonParser json) throws IOException {
    ArrayNode array = mapper.createArrayNode();
    for (JsonToken token = json.nextToken(); token != JsonToken.END_ARRAY; token = json.nextToken()) {
      array.add(readValue(json, token));
    }
    return array;
  }

  /** The object at the parser (on START_OBJECT), as Jackson's tree would hold it. */
  private ObjectNode readObject(JsonParser json) throws IOException {
    ObjectNode object = mapper.createObjectNode();
    for (JsonToken token = json.nextToken(); token == JsonToken.FIELD_NAME; token = json.nextToken()) {
      String name = json.currentName();
      object.set(name, readValue(json, json.nextToken()));
    }
    return object;
  }

  /**
   * Scalars straight from the token (the same node types JsonNodeDeserializer makes); nested
   * arrays and objects through Jackson. A deserialization context per argument list was the
   * largest cost left on the dispatch thread.
   */
  private JsonNode readValue(JsonParser json, JsonToken token) throws IOException {
    JsonNodeFactory nodes = mapper.getNodeFactory();
    return switch (token) {
      case VALUE_STRING -> nodes.textNode(json.getText());
      case VALUE_NUMBER_INT -> switch (json.getNumberType()) {
        case INT -> nodes.numberNode(json.getIntValue());
        case LONG -> nodes.numberNode(json.getLongValue());
        default -> nodes.numberNode(json.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> nodes.numberNode(json.getDoubleValue());
      case VALUE_TRUE -> nodes.booleanNode(true);
      case VALUE_FALSE -> nodes.booleanNode(false);
      case VALUE_NULL -> nodes.nullNode();
      default -> subtrees.readTree(json);
    };
  }

  /** The whole message as a tree, with the keys the daemon adds on arrival. */
  private ObjectNode rawTree(String payload, String channel, String generatedUuid) {
    try {
      ObjectNode tree = (ObjectNode) mapper.readTree(payload);
      if (generatedUuid != null) {
        tree.put(WireFormat.UUID, generatedUuid);
      }
      if (channel != null) {
        tree.put(WireFormat.CHANNEL, channel);
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("payload parsed once already: " + e.getMessage(), e);
    }
  }

  /** A rejected message's uuid, for its log line: read again, on this rare path only. */
  private String uuidOf(String payload) {
    try {
      JsonNode uuid = mapper.readTree(payload).get(WireFormat.UUID);
      return uuid != null && uuid.isTextual() ? uuid.asText() : null;
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  private static String excerpt(String payload) {
    return payload.length() > 200 ? payload.substring(0, 200) + "..." : payload;
  }

  /** A value for an error message, cut short so a huge payload does not flood the log. */
  private static String shortText(JsonNode value) {
    String text = value.toString();
    return text.length() > 120 ? text.substring(0, 117) + "..." : text;
  }
}
