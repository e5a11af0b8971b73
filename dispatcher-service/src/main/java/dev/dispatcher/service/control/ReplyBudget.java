package dev.dispatcher.service.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The room left in one reply. Listings draw on it entry by entry, and stop (keeping a prefix)
 * at {@link ReplyLimits#maxEntries()} entries or when the next entry would not fit; a listing
 * that stopped short says so with one more key, {@code truncated}:
 * {@code {"total": <entries that matched>, "shown": <entries in the reply>}}. An object, so a
 * consumer that reads every value but {@code node_id} as a message still finds a mapping.
 * One per command call; not thread-safe.
 */
final class ReplyBudget {

  static final String TRUNCATED = "truncated";

  private final ReplyLimits limits;
  private final ObjectMapper mapper;
  private long bytesLeft;

  ReplyBudget(ReplyLimits limits, ObjectMapper mapper) {
    this.limits = limits;
    this.mapper = mapper;
    this.bytesLeft = limits.maxBytes() - ReplyLimits.HEADROOM_BYTES;
  }

  /** A listing of entries into {@code reply}. */
  Listing listing(ObjectNode reply) {
    return new Listing(reply);
  }

  final class Listing {
    private final ObjectNode reply;
    private int total;
    private int shown;
    private boolean full;

    private Listing(ObjectNode reply) {
      this.reply = reply;
    }

    /** Counts the entry, and adds it while there is room. */
    void add(String key, JsonNode value) {
      total++;
      if (full) {
        return;
      }
      long size = key.length() + 4 + serializedSize(value); // "key": value,
      if (shown >= limits.maxEntries() || size > bytesLeft) {
        full = true;
        return;
      }
      bytesLeft -= size;
      reply.set(key, value);
      shown++;
    }

    /** Counts entries that matched but were never offered (e.g. rows past what the storage listed). */
    void addUnlisted(long count) {
      if (count > 0) {
        total = (int) Math.min(Integer.MAX_VALUE, total + count);
      }
    }

    /** Adds the {@code truncated} marker if some entries were left out; returns the reply. */
    ObjectNode finish() {
      if (shown < total) {
        reply.putObject(TRUNCATED).put("total", total).put("shown", shown);
      }
      return reply;
    }
  }

  private long serializedSize(JsonNode value) {
    CountingStream counter = new CountingStream();
    try {
      mapper.writeValue(counter, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return counter.count;
  }

  private static final class CountingStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
