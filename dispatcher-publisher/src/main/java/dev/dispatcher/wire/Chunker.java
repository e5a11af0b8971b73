package dev.dispatcher.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Splits a message of {@value WireFormat#MAX_PAYLOAD_BYTES} bytes or more into chunk envelopes,
 * each under the limit once serialized. Cuts fall between characters, never inside a surrogate
 * pair or inside a JSON escape of the original text, so each part is readable on its own.
 */
public final class Chunker {

  public static final String MARKER_KEY = "__dispatcherd_chunk__";
  public static final String MARKER_VERSION = "v1";

  private final JsonFactory jsonFactory = new JsonFactory();
  private final int maxEnvelopeBytes;

  /** A chunker for the Postgres limit: every envelope is at most 7999 bytes. */
  public Chunker() {
    this(WireFormat.MAX_PAYLOAD_BYTES - 1);
  }

  /** A chunker with a smaller envelope size, for tests that want many parts. */
  public Chunker(int maxEnvelopeBytes) {
    if (maxEnvelopeBytes < 200) {
      throw new IllegalArgumentException("maxEnvelopeBytes must be at least 200: " + maxEnvelopeBytes);
    }
    this.maxEnvelopeBytes = maxEnvelopeBytes;
  }

  /** True when the text must be chunked to pass through pg_notify. */
  public boolean needsChunking(String text) {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit: skip the encoding for short text.
    if (text.length() * 3L <= maxEnvelopeBytes) {
      return false;
    }
    return utf8Length(text) > maxEnvelopeBytes;
  }

  /** The payloads to send for this text: the text itself, or its chunk envelopes in order. */
  public List<String> split(String text) {
    if (!needsChunking(text)) {
      return List.of(text);
    }
    String messageId = UUID.randomUUID().toString().replace("-", "");
    int digits = Integer.toString(utf8Length(text)).length();
    int overhead = envelope(messageId, pow10(digits) - 1, pow10(digits) - 1, "").length();
    int budget = maxEnvelopeBytes - overhead;

    List<int[]> ranges = cut(text, budget);
    List<String> envelopes = new ArrayList<>(ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      int[] range = ranges.get(i);
      String envelope = envelope(messageId, i, ranges.size(), text.substring(range[0], range[1]));
      if (utf8Length(envelope) > maxEnvelopeBytes) {
        throw new IllegalStateException("chunk envelope of " + utf8Length(envelope) + " bytes exceeds " + maxEnvelopeBytes);
      }
      envelopes.add(envelope);
    }
    return envelopes;
  }

  /** Greedy cut into [start, end) ranges whose escaped UTF-8 size fits the budget. */
  private static List<int[]> cut(String text, int budget) {
    boolean[] unsafe = unsafeCutPositions(text);
    List<int[]> ranges = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int cost = 0;
      int end = start;
      int lastSafe = -1;
      while (end < text.length()) {
        int charCost = escapedCost(text.charAt(end));
        if (cost + charCost > budget) {
          break;
        }
        cost += charCost;
        end++;
        if (end == text.length() || !unsafe[end]) {
          lastSafe = end;
        }
      }
      if (lastSafe <= start) {
        throw new IllegalStateException("cannot cut text at " + start + " within " + budget + " bytes");
      }
      ranges.add(new int[] {start, lastSafe});
      start = lastSafe;
    }
    return ranges;
  }

  /**
   * unsafe[i] is true when cutting before character i would split a surrogate pair or a JSON
   * escape sequence ({@code \"} or {@code \u00e9}) of the original text.
   */
  private static boolean[] unsafeCutPositions(String text) {
    boolean[] unsafe = new boolean[text.length() + 1];
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1))) {
        unsafe[i] = true;
      }
      if (c == '"') {
        inString = !inString;
      } else if (c == '\\' && inString) {
        int length = i + 1 < text.length() && text.charAt(i + 1) == 'u' ? 6 : 2;
        for (int k = i + 1; k < Math.min(i + length, text.length()); k++) {
          unsafe[k] = true;
        }
        i += length - 1;
      }
    }
    return unsafe;
  }

  /** Bytes one UTF-16 unit takes inside a JSON string as Jackson writes it (upper bound). */
  private static int escapedCost(char c) {
    if (c == '"' || c == '\\') {
      return 2;
    }
    if (c < 0x20) {
      return 6;
    }
    if (c < 0x80) {
      return 1;
    }
    if (c < 0x800) {
      return 2;
    }
    if (Character.isSurrogate(c)) {
      return 2; // a pair is 4 bytes of UTF-8
    }
    return 3;
  }

  private String envelope(String messageId, int index, int total, String part) {
    StringWriter out = new StringWriter(part.length() + 128);
    try (JsonGenerator json = jsonFactory.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField(MARKER_KEY, MARKER_VERSION);
      json.writeStringField("message_id", messageId);
      json.writeNumberField("index", index);
      json.writeNumberField("total", total);
      json.writeStringField("payload", part);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static int pow10(int digits) {
    int value = 1;
    for (int i = 0; i < digits; i++) {
      value *= 10;
    }
    return value;
  }

  static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
