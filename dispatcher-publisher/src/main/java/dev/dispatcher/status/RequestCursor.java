package dev.dispatcher.status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * The position after a page of requests: the last one's {@code created_at} and row id, the keyset
 * the listing continues from (no OFFSET: a page costs the same however deep it is). Opaque to
 * callers: base64url of {@code <instant>|<id>}.
 *
 * @param createdAt the last request's creation, to the microsecond
 * @param id the last request's row id, which orders requests created in the same transaction
 */
public record RequestCursor(Instant createdAt, long id) {

  private static final int MAX_LENGTH = 200;

  /** The cursor as text. */
  public String encode() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Reads a cursor a page returned.
   *
   * @throws IllegalArgumentException when the text is no such cursor
   */
  public static RequestCursor decode(String text) {
    try {
      if (text.length() > MAX_LENGTH) {
        throw new IllegalArgumentException("too long");
      }
      String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
      int bar = plain.indexOf('|');
      if (bar < 0) {
        throw new IllegalArgumentException("no separator");
      }
      return new RequestCursor(Instant.parse(plain.substring(0, bar)), Long.parseLong(plain.substring(bar + 1)));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IllegalArgumentException("cursor '" + (text.length() > 60 ? text.substring(0, 60) + "…" : text)
          + "' is not one a page of requests returned (" + e.getMessage() + ")", e);
    }
  }
}
