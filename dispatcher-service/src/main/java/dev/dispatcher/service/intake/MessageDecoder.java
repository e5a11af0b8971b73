package dev.dispatcher.service.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.BadMessageException;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
import java.util.Optional;

/**
 * Turns notification payloads into task or control messages, reassembling chunks. Task messages
 * are read by the {@link TaskMessageReader} (streaming, the hot path); control messages and chunk
 * envelopes, which it hands back, are read as trees here. Used by the one dispatch thread only
 * (the chunk assembler is not thread-safe).
 */
public final class MessageDecoder {

  private final ObjectMapper mapper;
  private final TaskMessageReader reader;
  private final ChunkAssembler chunks;
  private final DispatcherEvents events;

  /** @param events told of every chunk envelope */
  public MessageDecoder(ObjectMapper mapper, ChunkAssembler chunks, TaskMessageReader reader, DispatcherEvents events) {
    this.mapper = mapper;
    this.reader = reader;
    this.chunks = chunks;
    this.events = events;
  }

  public Decoded decode(String channel, String payload, long nowNanos) {
    return decode(channel, payload, nowNanos, false);
  }

  /** @param reassembled the payload is a whole chunked message: it may not be a chunk itself */
  private Decoded decode(String channel, String payload, long nowNanos, boolean reassembled) {
    try {
      return new Decoded.Task(reader.read(payload, channel));
    } catch (TaskMessageReader.NotATaskMessage e) {
      return decodeEnvelope(channel, payload, nowNanos, reassembled);
    } catch (BadMessageException e) {
      return new Decoded.Rejected(DropReason.BAD_PAYLOAD, UntrustedText.of(e.getMessage(), 400), e.uuid());
    }
  }

  /** A control message or a chunk envelope (or a message that only claims to be one). */
  private Decoded decodeEnvelope(String channel, String payload, long nowNanos, boolean reassembled) {
    JsonNode node;
    try {
      node = mapper.readTree(payload);
    } catch (JsonProcessingException e) {
      return new Decoded.Rejected(DropReason.BAD_PAYLOAD,
          "not JSON (" + UntrustedText.of(e.getOriginalMessage()) + "): " + UntrustedText.of(payload), null);
    }
    ObjectNode message = (ObjectNode) node; // the reader saw an object
    if (ChunkAssembler.isChunk(message)) {
      events.chunkReceived();
      if (reassembled) {
        return new Decoded.Rejected(DropReason.BAD_CHUNK, "a reassembled message is itself a chunk (nested chunks are not allowed)", null);
      }
      Optional<String> whole;
      try {
        whole = chunks.accept(message, nowNanos);
      } catch (IllegalArgumentException e) {
        return new Decoded.Rejected(DropReason.BAD_CHUNK, UntrustedText.of(e.getMessage(), 400), null);
      }
      return whole.isPresent() ? decode(channel, whole.get(), nowNanos, true) : new Decoded.PartialChunk();
    }
    if (message.has(WireFormat.DOORBELL)) {
      return new Decoded.Doorbell(channel);
    }
    if (message.has(WireFormat.CONTROL)) {
      return new Decoded.Control(message, channel);
    }
    try {
      return new Decoded.Task(reader.read(message, channel, null)); // a marker key that is not a chunk's
    } catch (BadMessageException e) {
      return new Decoded.Rejected(DropReason.BAD_PAYLOAD, UntrustedText.of(e.getMessage(), 400), e.uuid());
    }
  }

  /** Drops partial chunked messages that waited too long; returns how many. */
  public int expireChunks(long nowNanos) {
    return chunks.expire(nowNanos);
  }
}
