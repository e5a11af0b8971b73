package dev.dispatcher.service.log;

/**
 * Text that came from the wire (task names, uuids, channels, payload excerpts, command names),
 * made safe to log: control characters, DEL, C1 controls and Unicode line separators are written
 * as escapes ({@code \n}, {@code \u001b}), so one message cannot forge log lines or send terminal
 * sequences, and the text is cut to a bound so a huge value cannot flood the log.
 */
public final class UntrustedText {

  /** The default bound: enough for any real task name or uuid, short enough for one log line. */
  public static final int DEFAULT_LIMIT = 200;

  private UntrustedText() {}

  /** Escaped and cut to {@value #DEFAULT_LIMIT} characters; "null" for null. */
  public static String of(Object value) {
    return of(value, DEFAULT_LIMIT);
  }

  /** Escaped and cut to {@code limit} characters of the original (the rest counted, not shown). */
  public static String of(Object value, int limit) {
    if (value == null) {
      return "null";
    }
    String text = value.toString();
    int shown = Math.min(text.length(), limit);
    StringBuilder out = null;
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      if (needsEscape(c)) {
        if (out == null) {
          out = new StringBuilder(shown + 16).append(text, 0, i);
        }
        appendEscape(out, c);
      } else if (out != null) {
        out.append(c);
      }
    }
    if (out == null && shown == text.length()) {
      return text;
    }
    if (out == null) {
      out = new StringBuilder(shown + 32).append(text, 0, shown);
    }
    if (shown < text.length()) {
      out.append("...(").append(text.length() - shown).append(" more chars)");
    }
    return out.toString();
  }

  /** Escapes without cutting: for whole formatted log messages. */
  public static String escape(String text) {
    return text == null ? null : of(text, Integer.MAX_VALUE);
  }

  static boolean needsEscape(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }

  private static void appendEscape(StringBuilder out, char c) {
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      default -> out.append(String.format("\\u%04x", (int) c));
    }
  }
}
