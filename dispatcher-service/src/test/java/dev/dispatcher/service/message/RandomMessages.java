package dev.dispatcher.service.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Seeded random task message text for the differential test: mostly plain valid messages (keys in
 * any order, nested arguments, numbers of every form, escapes, unicode, whitespace), with now and
 * then a value the rules refuse or the fast path leaves to Jackson.
 */
final class RandomMessages {

  private static final String[] ESCAPES = {"\\n", "\\\"", "\\\\", "\\/", "\\t", "\\b", "\\f", "\\r", "\\u00e9", "\\u20AC",
      "\\ud83d\\ude00", "\\u0000", "\\ud800"};
  private static final String[] RAW = {"é", "€", "😀", "\uD800", " ", "\u00a0", "\u2028", "\u007f"};
  private static final String[] INTEGERS = {"0", "-0", "1", "-1", "17", "2147483647", "2147483648", "-2147483648",
      "-2147483649", "999999999999999999", "-999999999999999999", "9223372036854775807", "-9223372036854775808",
      "9223372036854775808", "12345678901234567890"};
  private static final String[] POLICIES = {"parallel", "discard", "serial", "queue_one", "parallel", "discard", "serial",
      "queue_one", "Serial", ""};
  private static final String[] WHITESPACE = {"", "", "", " ", "  ", "\n", "\t", "\r\n"};

  private final Random random;
  private boolean spaced;

  RandomMessages(Random random) {
    this.random = random;
  }

  String next() {
    spaced = random.nextInt(4) == 0;
    List<String> entries = new ArrayList<>();
    entries.add(entry("task", random.nextInt(50) == 0 ? value(1) : string(random.nextInt(3) == 0 ? "app.tasks.t" : null, 1)));
    int uuid = random.nextInt(40);
    if (uuid > 1) {
      entries.add(entry("uuid", string(null, 1)));
    } else if (uuid == 1) {
      entries.add(entry("uuid", random.nextBoolean() ? "null" : "\"\""));
    }
    if (random.nextInt(5) > 0) {
      entries.add(entry("args", random.nextInt(40) == 0 ? value(1) : array(1)));
    }
    if (random.nextInt(10) > 2) {
      entries.add(entry("kwargs", random.nextInt(40) == 0 ? value(1) : object(1)));
    }
    if (random.nextInt(5) > 0) {
      entries.add(entry("time_pub", random.nextInt(30) == 0 ? value(1) : number()));
    }
    if (random.nextInt(5) == 0) {
      entries.add(entry("timeout", random.nextInt(10) == 0 ? number() : Integer.toString(random.nextInt(7300))));
    }
    if (random.nextInt(5) == 0) {
      entries.add(entry("delay", random.nextInt(10) == 0 ? number() : random.nextInt(3700) + "." + random.nextInt(10)));
    }
    if (random.nextInt(6) == 0) {
      entries.add(entry("on_duplicate", random.nextInt(10) == 0 ? value(1) : "\"" + POLICIES[random.nextInt(POLICIES.length)] + "\""));
    }
    if (random.nextInt(10) == 0) {
      entries.add(entry(random.nextBoolean() ? "callbacks" : "errbacks", random.nextInt(3) == 0 ? "null" : value(1)));
    }
    if (random.nextInt(3) == 0) {
      entries.add(entry("guid", string(null, 0)));
    }
    if (random.nextInt(4) == 0) {
      entries.add(entry(random.nextInt(10) == 0 ? "args" : "extra" + random.nextInt(3), value(1)));
    }
    if (random.nextInt(200) == 0) {
      entries.add(entry("control", "\"alive\""));
    }
    Collections.shuffle(entries, random);
    return ws() + "{" + ws() + String.join(ws() + "," + ws(), entries) + ws() + "}" + ws();
  }

  private String entry(String key, String value) {
    return "\"" + key + "\"" + ws() + ":" + (spaced ? " " : "") + ws() + value;
  }

  private String ws() {
    return spaced ? WHITESPACE[random.nextInt(WHITESPACE.length)] : "";
  }

  private String value(int depth) {
    int kind = random.nextInt(depth > 34 ? 6 : 9);
    return switch (kind) {
      case 0, 1 -> string(null, 0);
      case 2, 3 -> number();
      case 4 -> random.nextBoolean() ? "true" : "false";
      case 5 -> "null";
      case 6, 7 -> array(depth + 1);
      default -> object(depth + 1);
    };
  }

  private String array(int depth) {
    List<String> elements = new ArrayList<>();
    for (int i = random.nextInt(5); i > 0; i--) {
      elements.add(value(depth));
    }
    return "[" + ws() + String.join(ws() + "," + (spaced ? " " : "") + ws(), elements) + ws() + "]";
  }

  private String object(int depth) {
    List<String> fields = new ArrayList<>();
    for (int i = random.nextInt(5); i > 0; i--) {
      String key = random.nextInt(4) == 0 ? "\"k\"" : string(null, 0); // "k" often: duplicate keys
      fields.add(key + ws() + ":" + (spaced ? " " : "") + ws() + value(depth));
    }
    return "{" + ws() + String.join(ws() + "," + (spaced ? " " : "") + ws(), fields) + ws() + "}";
  }

  /** A JSON string: the given text, or random text (at least {@code minLength} characters) with escapes and unicode. */
  private String string(String text, int minLength) {
    if (text != null) {
      return "\"" + text + "\"";
    }
    StringBuilder out = new StringBuilder("\"");
    for (int i = minLength + random.nextInt(12); i > 0; i--) {
      int kind = random.nextInt(20);
      if (kind == 0) {
        out.append(ESCAPES[random.nextInt(ESCAPES.length)]);
      } else if (kind == 1) {
        out.append(RAW[random.nextInt(RAW.length)]);
      } else if (kind == 2 && random.nextInt(200) == 0) {
        out.append((char) random.nextInt(0x20)); // Jackson refuses a raw control character
      } else {
        out.append((char) ('a' + random.nextInt(26)));
      }
    }
    return out.append('"').toString();
  }

  /** A JSON number of one of many forms, one in a hundred of a form JSON does not allow. */
  private String number() {
    if (random.nextInt(100) == 0) {
      return List.of("01", "+1", ".5", "5.", "1e", "-", "NaN", "1.e3").get(random.nextInt(8));
    }
    return switch (random.nextInt(11)) {
      case 0 -> INTEGERS[random.nextInt(INTEGERS.length)];
      case 1 -> Integer.toString(random.nextInt());
      case 2 -> Long.toString(random.nextLong() >> random.nextInt(64));
      case 3 -> Integer.toString(random.nextInt(2000) - 1000);
      case 4 -> Double.toString(Double.longBitsToDouble(random.nextLong())).replace("Infinity", "1e999").replace("NaN", "0.5");
      case 5 -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
      case 6 -> (1_700_000_000 + random.nextInt(100_000_000)) + "." + String.format("%06d", random.nextInt(1_000_000));
      case 7 -> digits(1 + random.nextInt(19)) + "." + digits(1 + random.nextInt(19));
      case 8 -> digits(1 + random.nextInt(17)) + (random.nextBoolean() ? "e" : "E") + (random.nextBoolean() ? "-" : "+")
          + random.nextInt(400);
      case 9 -> (random.nextBoolean() ? "-" : "") + digits(1 + random.nextInt(3)) + "." + digits(1 + random.nextInt(3)) + "e"
          + (random.nextInt(50) - 25);
      default -> random.nextInt(1000) + "." + random.nextInt(1000);
    };
  }

  /** Decimal digits without a leading zero. */
  private String digits(int count) {
    StringBuilder out = new StringBuilder().append((char) ('1' + random.nextInt(9)));
    for (int i = 1; i < count; i++) {
      out.append((char) ('0' + random.nextInt(10)));
    }
    return out.toString();
  }
}
