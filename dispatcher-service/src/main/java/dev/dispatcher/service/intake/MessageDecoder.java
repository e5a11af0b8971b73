package dev.dispatcher.service.intake;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.WireFormat;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns notification payloads into task or control messages, reassembling chunks. Used by the one
 * dispatch thread only (the chunk assembler is not thread-safe).
 */
public final class MessageDecoder {

  public static final String BAD_PAYLOAD = "bad_payload";
  public static final String BAD_CHUNK = "bad_chunk";

  private final ObjectMapper mapper;
  /** Reads args/kwargs in the middle of a message: the rest of the message is not "trailing". */
  private final ObjectReader subtrees;
  private final ChunkAssembler chunks;
  private final MessageLimits limits;
  private final AtomicLong internalIds = new AtomicLong();

  public MessageDecoder(ObjectMapper mapper, ChunkAssembler chunks, MessageLimits limits) {
    this.mapper = mapper;
    this.limits = limits;
    this.subtrees = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.chunks = chunks;
  }

  public Decoded decode(String channel, String payload, long nowNanos) {
    return decode(channel, payload, nowNanos, false);
  }

  /** @param reassembled the payload is a whole chunked message: it may not be a chunk itself */
  private Decoded decode(String channel, String payload, long nowNanos, boolean reassembled) {
    TaskMessage fast = readPlainTask(channel, payload);
    if (fast != null) {
      return new Decoded.Task(fast);
    }
    return decodeTree(channel, payload, nowNanos, reassembled);
  }

  /**
   * The hot path: a well-formed task message read with a streaming parser, taking only the known
   * keys (args and kwargs as trees) and leaving the whole tree to be built if someone asks for it.
   * Returns null for anything else (chunks, control messages, wrong types, malformed JSON): the
   * tree path decides those and words the errors.
   */
  private TaskMessage readPlainTask(String channel, String payload) {
    String uuid = null;
    String task = null;
    ArrayNode args = null;
    ObjectNode kwargs = null;
    double timePub = Double.NaN;
    double timeout = 0;
    double delay = 0;
    OnDuplicate onDuplicate = OnDuplicate.PARALLEL;
    boolean followUps = false;
    boolean onDuplicateGiven = false;
    try (JsonParser json = mapper.createParser(payload)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (JsonToken token = json.nextToken(); token == JsonToken.FIELD_NAME; token = json.nextToken()) {
        String key = json.currentName();
        JsonToken value = json.nextToken();
        switch (key) {
          case WireFormat.TASK -> {
            if (value != JsonToken.VALUE_STRING) {
              return null;
            }
            task = json.getText();
          }
          case WireFormat.UUID -> {
            if (value != JsonToken.VALUE_STRING) {
              return null;
            }
            uuid = json.getText();
          }
          case WireFormat.ARGS -> {
            if (value != JsonToken.START_ARRAY) {
              return null;
            }
            args = readArray(json);
          }
          case WireFormat.KWARGS -> {
            if (value != JsonToken.START_OBJECT) {
              return null;
            }
            kwargs = readObject(json);
          }
          case WireFormat.TIME_PUB -> {
            if (!value.isNumeric()) {
              return null;
            }
            timePub = json.getDoubleValue();
          }
          case WireFormat.TIMEOUT, WireFormat.DELAY -> {
            double limit = key.equals(WireFormat.TIMEOUT) ? limits.maxTimeoutSeconds() : limits.maxDelaySeconds();
            if (!value.isNumeric() || !(json.getDoubleValue() >= 0) || !(json.getDoubleValue() <= limit)) {
              return null; // the tree path words the error
            }
            if (key.equals(WireFormat.TIMEOUT)) {
              timeout = json.getDoubleValue();
            } else {
              delay = json.getDoubleValue();
            }
          }
          case WireFormat.ON_DUPLICATE -> {
            if (value != JsonToken.VALUE_STRING) {
              return null;
            }
            try {
              onDuplicate = OnDuplicate.fromWire(json.getText());
              onDuplicateGiven = true;
            } catch (IllegalArgumentException e) {
              return null;
            }
          }
          case WireFormat.CALLBACKS, WireFormat.ERRBACKS -> {
            followUps |= value != JsonToken.VALUE_NULL;
            json.skipChildren(); // read from the raw tree when the task is done
          }
          case WireFormat.CONTROL, Chunker.MARKER_KEY, WireFormat.CHANNEL -> {
            return null; // not a plain task message, or a channel key the tree path must overwrite
          }
          default -> json.skipChildren(); // unknown keys stay in the raw text
        }
      }
      if (json.currentToken() != JsonToken.END_OBJECT || json.nextToken() != null) {
        return null;
      }
    } catch (IOException e) {
      return null;
    }
    if (task == null || task.isBlank() || (uuid != null && uuid.isBlank())) {
      return null;
    }
    String id = uuid != null ? uuid : "internal-" + internalIds.incrementAndGet();
    boolean generatedUuid = uuid == null;
    return TaskMessage.streamed(() -> rawTree(payload, channel, generatedUuid ? id : null), id, task,
        args != null ? args : mapper.createArrayNode(), kwargs != null ? kwargs : mapper.createObjectNode(),
        timePub, timeout, delay, onDuplicate, channel, followUps, onDuplicateGiven, MessageSize.of(payload, args, kwargs));
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

  private Decoded decodeTree(String channel, String payload, long nowNanos, boolean reassembled) {
    JsonNode node;
    try {
      node = mapper.readTree(payload);
    } catch (JsonProcessingException e) {
      return new Decoded.Rejected(BAD_PAYLOAD, "not JSON (" + UntrustedText.of(e.getOriginalMessage()) + "): " + cut(payload), null);
    }
    if (node == null || !node.isObject()) {
      return new Decoded.Rejected(BAD_PAYLOAD, "not a JSON object: " + cut(payload), null);
    }
    if (ChunkAssembler.isChunk(node)) {
      if (reassembled) {
        return new Decoded.Rejected(BAD_CHUNK, "a reassembled message is itself a chunk (nested chunks are not allowed)", null);
      }
      Optional<String> whole;
      try {
        whole = chunks.accept(node, nowNanos);
      } catch (IllegalArgumentException e) {
        return new Decoded.Rejected(BAD_CHUNK, e.getMessage(), null);
      }
      return whole.isPresent() ? decode(channel, whole.get(), nowNanos, true) : new Decoded.PartialChunk();
    }
    ObjectNode message = (ObjectNode) node;
    if (message.has(WireFormat.CONTROL)) {
      return new Decoded.Control(message, channel);
    }
    try {
      return new Decoded.Task(TaskMessage.from(message, channel, "internal-" + internalIds.incrementAndGet(), limits));
    } catch (BadMessageException e) {
      JsonNode uuid = message.get(WireFormat.UUID);
      return new Decoded.Rejected(BAD_PAYLOAD, e.getMessage(), uuid != null && uuid.isTextual() ? uuid.asText() : null);
    }
  }

  /** Drops partial chunked messages that waited too long; returns how many. */
  public int expireChunks(long nowNanos) {
    return chunks.expire(nowNanos);
  }

  public ChunkAssembler.Stats chunkStats() {
    return chunks.stats();
  }

  private static String cut(String payload) {
    return UntrustedText.of(payload);
  }
}
