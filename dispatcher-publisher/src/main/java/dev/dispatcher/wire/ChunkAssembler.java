package dev.dispatcher.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reassembles chunked messages. Parts may arrive in any order; a partial message older than the
 * timeout is dropped by {@link #expire(long)}, and the memory held by partials is bounded: past
 * the bound the oldest partial is dropped. Not thread-safe: one owner thread feeds it.
 *
 * <p>Nothing is sized by a number from the wire: a partial stores only the parts that arrived
 * (never an array of {@code total} slots), and what it holds is accounted as the memory it
 * really takes (the text, two bytes a character, plus the objects around each part and each
 * partial), so many small parts claiming a huge total cannot exhaust the heap. A {@code total}
 * whose parts could never fit in the bound is refused at once.
 */
public final class ChunkAssembler {

  /** Bytes a partial message costs beyond its parts: its map entry, record and part map. */
  static final long PARTIAL_OVERHEAD_BYTES = 256;
  /** Bytes a part costs beyond its text: its map node, boxed index and string header. */
  static final long PART_OVERHEAD_BYTES = 64;

  /** What became of chunked messages (or envelopes, for {@link #INVALID}). */
  public enum Result {
    /** Every part arrived: the whole message was handed back. */
    COMPLETED,
    /** Dropped by {@link #expire(long)}: its parts did not all arrive within the timeout. */
    EXPIRED,
    /** An envelope refused as malformed, contradictory or too large. */
    INVALID,
    /** The oldest partial message, dropped to keep within the memory bound. */
    EVICTED_FOR_SPACE
  }

  /** Told of each result, on the assembler's owner thread (the daemon counts them). */
  @FunctionalInterface
  public interface Results {
    /** Results that nobody counts. */
    Results IGNORED = (result, messages) -> { };

    void counted(Result result, int messages);
  }

  private static final class Partial {
    final int total;
    final Map<Integer, String> parts = new HashMap<>();
    final long firstSeenNanos;
    long bytes;
    long chars;

    Partial(int total, long firstSeenNanos, long bytes) {
      this.total = total;
      this.firstSeenNanos = firstSeenNanos;
      this.bytes = bytes;
    }
  }

  /** Insertion order is arrival order of the first part: the eldest entry is the oldest partial. */
  private final LinkedHashMap<String, Partial> partials = new LinkedHashMap<>();
  private final long timeoutNanos;
  private final long maxBufferedBytes;
  private final int maxParts;
  private final Results results;
  private long bufferedBytes;

  /** An assembler whose results nobody counts. */
  public ChunkAssembler(long timeoutNanos, long maxBufferedBytes) {
    this(timeoutNanos, maxBufferedBytes, Results.IGNORED);
  }

  /**
   * @param maxBufferedBytes what all partial messages may hold together, as estimated memory
   * @param results told of every completed, expired, invalid and evicted message
   */
  public ChunkAssembler(long timeoutNanos, long maxBufferedBytes, Results results) {
    if (maxBufferedBytes < 1) {
      throw new IllegalArgumentException("maxBufferedBytes must be at least 1: " + maxBufferedBytes);
    }
    this.timeoutNanos = timeoutNanos;
    this.maxBufferedBytes = maxBufferedBytes;
    this.maxParts = (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxBufferedBytes / (PART_OVERHEAD_BYTES + 2)));
    this.results = results;
  }

  /** True when the parsed message is a chunk envelope. */
  public static boolean isChunk(JsonNode message) {
    JsonNode marker = message.get(Chunker.MARKER_KEY);
    return marker != null && marker.isTextual();
  }

  /**
   * Adds one envelope; returns the whole original text when this part completed it.
   *
   * @throws IllegalArgumentException naming the problem when the envelope is malformed,
   *     contradicts earlier parts of the same message, or claims more parts than could fit
   */
  public Optional<String> accept(JsonNode envelope, long nowNanos) {
    String version = envelope.path(Chunker.MARKER_KEY).asText();
    JsonNode id = envelope.get("message_id");
    JsonNode index = envelope.get("index");
    JsonNode total = envelope.get("total");
    JsonNode payload = envelope.get("payload");
    if (!Chunker.MARKER_VERSION.equals(version)) {
      return invalid("unsupported chunk version '" + cut(version) + "'");
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
    if (parts > maxParts) {
      return invalid("chunk total " + parts + " exceeds the " + maxParts + " parts that " + maxBufferedBytes
          + " buffered bytes can hold");
    }
    String messageId = id.asText();
    Partial partial = partials.get(messageId);
    if (partial == null) {
      long overhead = PARTIAL_OVERHEAD_BYTES + 2L * messageId.length();
      partial = new Partial(parts, nowNanos, overhead);
      partials.put(messageId, partial);
      bufferedBytes += overhead;
    } else if (partial.total != parts) {
      drop(messageId);
      return invalid("chunk total " + parts + " contradicts earlier total " + partial.total + " for message " + cut(messageId));
    }
    String text = payload.asText();
    if (partial.parts.putIfAbsent(position, text) == null) {
      long cost = PART_OVERHEAD_BYTES + 2L * text.length();
      partial.bytes += cost;
      partial.chars += text.length();
      bufferedBytes += cost;
    }
    if (partial.parts.size() == parts) {
      drop(messageId);
      results.counted(Result.COMPLETED, 1);
      return Optional.of(join(partial));
    }
    evictForSpace();
    return Optional.empty();
  }

  private static String join(Partial partial) {
    StringBuilder whole = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 8, partial.chars));
    for (int i = 0; i < partial.total; i++) {
      whole.append(partial.parts.get(i));
    }
    return whole.toString();
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
      bufferedBytes -= partial.bytes;
      it.remove();
      dropped++;
    }
    if (dropped > 0) {
      results.counted(Result.EXPIRED, dropped);
    }
    return dropped;
  }

  public int pendingMessages() {
    return partials.size();
  }

  /** The memory partial messages hold now, as estimated for the bound. */
  public long bufferedBytes() {
    return bufferedBytes;
  }

  /** The largest {@code total} accepted: more parts than this could never fit in the bound. */
  public int maxParts() {
    return maxParts;
  }

  private void evictForSpace() {
    Iterator<Map.Entry<String, Partial>> it = partials.entrySet().iterator();
    while (bufferedBytes > maxBufferedBytes && it.hasNext()) {
      bufferedBytes -= it.next().getValue().bytes;
      it.remove();
      results.counted(Result.EVICTED_FOR_SPACE, 1);
    }
  }

  private void drop(String messageId) {
    Partial removed = partials.remove(messageId);
    if (removed != null) {
      bufferedBytes -= removed.bytes;
    }
  }

  private static String cut(String text) {
    return text.length() > 64 ? text.substring(0, 64) + "..." : text;
  }

  private Optional<String> invalid(String problem) {
    results.counted(Result.INVALID, 1);
    throw new IllegalArgumentException(problem);
  }
}
