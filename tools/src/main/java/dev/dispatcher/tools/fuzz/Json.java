package dev.dispatcher.tools.fuzz;

import dev.dispatcher.wire.JsonText;
import java.util.Map;

/** JSON text from raw fragments: the generator writes values the daemon's mapper could never produce. */
final class Json {

  private Json() {}

  /** A JSON string literal of the text (quotes, backslashes and control characters escaped). */
  static String str(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2);
    JsonText.appendString(out, text);
    return out.toString();
  }

  /** An object of these keys and raw JSON values, in map order; a null value leaves its key out. */
  static String object(Map<String, String> members) {
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, String> member : members.entrySet()) {
      if (member.getValue() == null) {
        continue;
      }
      if (out.length() > 1) {
        out.append(',');
      }
      JsonText.appendString(out, member.getKey());
      out.append(':').append(member.getValue());
    }
    return out.append('}').toString();
  }

  /** An array of raw JSON values. */
  static String array(String... values) {
    return "[" + String.join(",", values) + "]";
  }

  /** Text of one-unit characters (no surrogates) repeated to a length. */
  static String repeat(char unit, int length) {
    return String.valueOf(unit).repeat(length);
  }
}
