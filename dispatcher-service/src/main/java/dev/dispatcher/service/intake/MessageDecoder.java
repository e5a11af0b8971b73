package dev.dispatcher.service.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
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
  private final ChunkAssembler chunks;
  private final AtomicLong internalIds = new AtomicLong();

  public MessageDecoder(ObjectMapper mapper, ChunkAssembler chunks) {
    this.mapper = mapper;
    this.chunks = chunks;
  }

  public Decoded decode(String channel, String payload, long nowNanos) {
    JsonNode node;
    try {
      node = mapper.readTree(payload);
    } catch (JsonProcessingException e) {
      return new Decoded.Rejected(BAD_PAYLOAD, "not JSON (" + e.getOriginalMessage() + "): " + cut(payload), null);
    }
    if (node == null || !node.isObject()) {
      return new Decoded.Rejected(BAD_PAYLOAD, "not a JSON object: " + cut(payload), null);
    }
    if (ChunkAssembler.isChunk(node)) {
      Optional<String> whole;
      try {
        whole = chunks.accept(node, nowNanos);
      } catch (IllegalArgumentException e) {
        return new Decoded.Rejected(BAD_CHUNK, e.getMessage(), null);
      }
      return whole.isPresent() ? decode(channel, whole.get(), nowNanos) : new Decoded.PartialChunk();
    }
    ObjectNode message = (ObjectNode) node;
    if (message.has(WireFormat.CONTROL)) {
      return new Decoded.Control(message, channel);
    }
    try {
      return new Decoded.Task(TaskMessage.from(message, channel, "internal-" + internalIds.incrementAndGet()));
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
    return payload.length() > 200 ? payload.substring(0, 197) + "..." : payload;
  }
}
