package dev.dispatcher.service.completion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.service.log.UntrustedText;

/**
 * What of a task's return value goes to its row ({@code durable.max_result_kib}): its JSON when it
 * is at most the limit, else nothing but its size and why ({@code result_omitted}). A value that is
 * not JSON, or whose JSON Postgres cannot store as jsonb (a {@code \u0000} in a string), is not kept
 * either: written, it would fail its whole batch of outcomes again and again.
 */
public final class ResultLimit {

  /** The default of {@code durable.max_result_kib}. */
  public static final int DEFAULT_KIB = 64;

  /**
   * What goes to the row.
   *
   * @param json the result as JSON, or null (none, or not kept)
   * @param bytes its size as UTF-8, or null without a JSON result
   * @param omitted why it is not kept, or null
   */
  public record Kept(String json, Integer bytes, String omitted) {
    static final Kept NONE = new Kept(null, null, null);
  }

  private final ObjectMapper mapper;
  private final int maxKib;

  /** @param maxKib the largest result kept, in KiB (0: none is kept) */
  public ResultLimit(ObjectMapper mapper, int maxKib) {
    this.mapper = mapper;
    this.maxKib = maxKib;
  }

  public Kept of(Object result) {
    if (result == null) {
      return Kept.NONE;
    }
    String json;
    try {
      json = mapper.writeValueAsString(result);
    } catch (JsonProcessingException | RuntimeException e) {
      return new Kept(null, null, "not JSON: " + UntrustedText.of(e.getMessage(), 300));
    }
    int bytes = utf8Length(json);
    if (bytes > (long) maxKib * 1024) {
      return new Kept(null, bytes, bytes + " bytes of JSON, more than durable.max_result_kib (" + maxKib + " KiB)");
    }
    if (holdsNul(json)) {
      return new Kept(null, bytes, "its JSON holds \\u0000, which Postgres cannot store as jsonb");
    }
    return new Kept(json, bytes, null);
  }

  /** Whether the JSON text holds the escape {@code \u0000} (not an escaped backslash followed by "u0000"). */
  static boolean holdsNul(String json) {
    for (int at = json.indexOf("\\u0000"); at >= 0; at = json.indexOf("\\u0000", at + 1)) {
      int backslashes = 0;
      for (int i = at - 1; i >= 0 && json.charAt(i) == '\\'; i--) {
        backslashes++;
      }
      if (backslashes % 2 == 0) {
        return true;
      }
    }
    return false;
  }

  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a pair is 4 bytes, 2 for each half
    }
    return bytes;
  }
}
