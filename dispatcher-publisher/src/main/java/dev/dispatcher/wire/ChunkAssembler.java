package dev.dispatcher.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reassembles chunked messages. Parts may arrive in any order; a partial message older than the
 * timeout is dropped by {@link #expire(long)}, and the bytes held by partials are bounded: past
 * the bound the oldest partial is dropped. Not thread-safe: one owner thread feeds it.
 */
public final class ChunkAssembler {

  /** Counters, readable from any thread. */
  public static final class Stats {
    public final LongAdder completed = new LongAdder();
    public final LongAdder expired = new LongAdder();
    public final LongAdder invalid = new LongAdder();
    public final LongAdder evictedForSpace = new LongAdder();
  }

  private static final class Partial {
    final String[] parts;
    final long firstSeenNanos;
    int received;
    long bytes;

    Partial(int total, long firstSeenNanos) {
      this.parts = new String[total];
      this.firstSeenNanos = firstSeenNanos;
    }
  }

  /** Insertion order is arrival order of the first part: the eldest entry is the oldest partial. */
  private final LinkedHashMap<String, Partial> partials = new LinkedHashMap<>();
  private final long timeoutNanos;
  private final long maxBufferedChars;
  private final Stats stats = new Stats();
  private long bufferedChars;

  public ChunkAssembler(long timeoutNanos, long maxBufferedChars) {
    this.timeoutNanos = timeoutNanos;
    this.maxBufferedChars = maxBufferedChars;
  }

  /** True when the parsed message is a chunk envelope. */
  public static boolean isChunk(JsonNode message) {
    JsonNode marker = message.get(Chunker.MARKER_KEY);
    return marker != null && marker.isTextual();
  }

  /**
   * Adds one envelope; returns the whole original text when this part completed it.
   *
   * @throws IllegalArgumentException naming the problem when the envelope is malformed or
   *     contradicts earlier parts of the same message
   */
  public Optional<String> accept(JsonNode envelope, long nowNanos) {
    String version = envelope.path(Chunker.MARKER_KEY).asText();
    JsonNode id = envelope.get("message_id");
    JsonNode index = envelope.get("index");
    JsonNode total = envelope.get("total");
    JsonNode payload = envelope.get("payload");
    if (!Chunker.MARKER_VERSION.equals(version)) {
      return invalid("unsupported chunk version '" + version + "'");
    }
    if (id == null || !id.isTextual() || index == null || !index.isIntegralNumber() || !index.canConvertToInt()
        || total == null || !total.isIntegralNumber() || !total.canConvertToInt() || payload == null || !payload.isTextual()) {
      return invalid("chunk envelope needs message_id, index, total and payload");
    }
    int parts = total.intValue();
    int position = index.intValue();
    if (parts < 1 || position < 0 || position >= parts) {
      return invalid("chunk index " + position + " out of range for total " + parts);
    }
    Partial partial = partials.get(id.asText());
    if (partial == null) {
      partial = new Partial(parts, nowNanos);
      partials.put(id.asText(), partial);
    } else if (partial.parts.length != parts) {
      drop(id.asText());
      return invalid("chunk total " + parts + " contradicts earlier total " + partial.parts.length
          + " for message " + id.asText());
    }
    if (partial.parts[position] == null) {
      String text = payload.asText();
      partial.parts[position] = text;
      partial.received++;
      partial.bytes += text.length();
      bufferedChars += text.length();
    }
    if (partial.received == parts) {
      drop(id.asText());
      stats.completed.increment();
      return Optional.of(String.join("", partial.parts));
    }
    evictForSpace();
    return Optional.empty();
  }

  /** Drops partial messages older than the timeout; returns how many were dropped. */
  public int expire(long nowNanos) {
    int dropped = 0;
    Iterator<Map.Entry<String, Partial>> it = partials.entrySet().iterator();
    while (it.hasNext()) {
      Partial partial = it.next().getValue();
      if (nowNanos - partial.firstSeenNanos < timeoutNanos) {
        break; // arrival order: everything after is younger
      }
      bufferedChars -= partial.bytes;
      it.remove();
      dropped++;
    }
    stats.expired.add(dropped);
    return dropped;
  }

  public int pendingMessages() {
    return partials.size();
  }

  public long bufferedChars() {
    return bufferedChars;
  }

  public Stats stats() {
    return stats;
  }

  private void evictForSpace() {
    Iterator<Map.Entry<String, Partial>> it = partials.entrySet().iterator();
    while (bufferedChars > maxBufferedChars && it.hasNext()) {
      bufferedChars -= it.next().getValue().bytes;
      it.remove();
      stats.evictedForSpace.increment();
    }
  }

  private void drop(String messageId) {
    Partial removed = partials.remove(messageId);
    if (removed != null) {
      bufferedChars -= removed.bytes;
    }
  }

  private Optional<String> invalid(String problem) {
    stats.invalid.increment();
    throw new IllegalArgumentException(problem);
  }
}
