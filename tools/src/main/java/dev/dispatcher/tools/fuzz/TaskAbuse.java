package dev.dispatcher.tools.fuzz;

import static dev.dispatcher.tools.fuzz.Json.array;
import static dev.dispatcher.tools.fuzz.Json.object;
import static dev.dispatcher.tools.fuzz.Json.str;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Task messages that are wrong in content, and valid ones with absurd delays. Each is a single
 * payload under the 8000-byte NOTIFY limit; none carries the uuid of a valid task.
 */
final class TaskAbuse {

  /** The ten keys of a task message the daemon reads. */
  static final List<String> FIELDS = List.of("task", "uuid", "args", "kwargs", "time_pub", "timeout", "delay", "on_duplicate",
      "callbacks", "errbacks");

  /** A value of every JSON type, for putting the wrong one in a key. */
  private static final List<String> ANY_VALUE = List.of("1", "-1", "0", "1.5", "true", "false", "null", "\"\"", "\"x\"", "[]", "[1]",
      "[\"a\",\"b\"]", "{}", "{\"a\":1}", "{\"task\":\"x\"}");

  /** Numbers (and would-be numbers) no sane message carries. */
  static final List<String> EXTREME_NUMBERS = List.of("1e308", "-1e308", "1e309", "-1e309", "1.7976931348623157e308",
      "4.9e-324", "1e-400", "-0.0", "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
      "18446744073709551616", "2147483648", "-2147483649", "1e999999999", "-1e999999999", "0e999999999", "1" + "0".repeat(900),
      "-" + "9".repeat(999), "1" + "0".repeat(1500), "NaN", "-NaN", "Infinity", "-Infinity", "\"NaN\"", "\"Infinity\"", "\"1e308\"",
      "0x7fffffff", "1e308e1", "--1", "+1", ".5", "01");

  private final Context c;

  TaskAbuse(Context c) {
    this.c = c;
  }

  /** A message the daemon can run: a demo task with this uuid, arguments and time_pub; the caller changes keys. */
  private Map<String, String> base(String uuid) {
    Map<String, String> message = new LinkedHashMap<>();
    message.put("uuid", str(uuid));
    message.put("args", array(Long.toString(c.random.nextInt(1000)), "1"));
    message.put("task", str(Context.SUM2));
    message.put("time_pub", c.timePub());
    return message;
  }

  String malformedJson() {
    String whole = object(base(c.hostileUuid()));
    return switch (c.random.nextInt(22)) {
      case 0 -> "{";
      case 1 -> "}";
      case 2 -> "";
      case 3 -> " ";
      case 4 -> whole.substring(0, 1 + c.random.nextInt(whole.length() - 1)); // truncated
      case 5 -> whole + whole; // two objects
      case 6 -> whole + " junk";
      case 7 -> whole.replace('"', '\''); // single quotes
      case 8 -> whole.replace("\"uuid\"", "uuid"); // unquoted key
      case 9 -> whole.substring(0, whole.length() - 1) + ",}"; // trailing comma
      case 10 -> "/* comment */ " + whole;
      case 11 -> "\uFEFF" + whole; // byte order mark
      case 12 -> c.pick("[1, 2, 3]", "null", "true", "42", "\"a string\"", "[]", "[{\"task\":\"" + Context.SUM2 + "\"}]");
      case 13 -> "{\"task\": \"" + Context.HELLO + "\", \"uuid\": \"" + c.hostileUuid() + "\", \"delay\": NaN}";
      case 14 -> "{\"task\": \"" + Context.HELLO + "\", \"uuid\": \"" + c.hostileUuid() + "\", \"args\": [1,,2]}";
      case 15 -> "{\"task\": \"unterminated";
      case 16 -> "{\"task\": \"bad escape \\x41\"}";
      case 17 -> "{\"task\": \"" + Context.HELLO + "\"} " + "\u0001\u0002\u001b";
      case 18 -> garbage(1 + c.random.nextInt(300));
      case 19 -> " ".repeat(c.random.nextInt(7000)) + "{";
      case 20 -> "{\"a\":" + "1".repeat(1 + c.random.nextInt(2000)) + "x}";
      default -> "\"" + "\\" + "\"" + "{}";
    };
  }

  /** Random characters: printable ASCII, control characters (never NUL), accented letters, a currency sign and an emoji. */
  private String garbage(int length) {
    StringBuilder out = new StringBuilder(length * 2);
    for (int i = 0; i < length; i++) {
      switch (c.random.nextInt(6)) {
        case 0 -> out.append((char) (1 + c.random.nextInt(31)));
        case 1 -> out.append(c.pick('é', '€', 'ß', '"', '\\', '{', '}', '[', ']', ':', ','));
        case 2 -> out.append("\uD83D\uDE80");
        default -> out.append((char) (32 + c.random.nextInt(95)));
      }
    }
    return out.toString();
  }

  String wrongType() {
    Map<String, String> message = base(c.hostileUuid());
    String field = c.pick(FIELDS);
    String value = switch (field) {
      case "task" -> c.pick(wrongFor("string"), "\"\"", "\"   \"", "\"no.such.Task.method\"", "\"java.lang.System.exit\"",
          "\"dev.dispatcher.demo.DemoTasks\"", "\"" + Context.SUM2 + " \"", "\"Dev.Dispatcher.Demo.DemoTasks.sum2\"");
      case "uuid" -> c.pick(wrongFor("string"), "\"\"", "\"  \"");
      case "args" -> c.pick(wrongFor("array"), "[\"one\",2]", "[1]", "[1,2,3]", "[null,1]", "[1.5,2]", "[true,1]", "[[1],2]",
          "[{\"a\":1},2]", "[\"1\",\"2\"]", "[1,\"2\"]");
      case "kwargs" -> c.pick(wrongFor("object"), "{\"c\":1}", "{\"a\":\"x\",\"b\":1}", "{\"a\":1,\"b\":2}", "{\"\":1}");
      case "time_pub" -> c.pick(wrongFor("number"), "\"2026-12-01T00:00:00Z\"", "\"now\"");
      case "timeout", "delay" -> c.pick(wrongFor("number"), "-1", "-0.001", "-1e308", "\"10\"", "\"1s\"");
      case "on_duplicate" -> c.pick(wrongFor("string"), "\"bogus\"", "\"DISCARD\"", "\"\"", "\"serial \"");
      default -> c.pick(wrongFor("array"), "[1]", "[\"x\"]", "[{}]", "[{\"task\":5}]", "[{\"task\":\"no.such.task\"}]", "[null]",
          "[[]]", "[{\"task\":\"" + Context.SUM2 + "\",\"args\":\"x\"}]");
    };
    message.put(field, value);
    if (c.random.nextInt(10) == 0) {
      message.remove(c.pick(FIELDS)); // and a key missing
    }
    return object(message);
  }

  /** A value whose JSON type is not this one. */
  private String wrongFor(String type) {
    while (true) {
      String value = c.pick(ANY_VALUE);
      boolean same = switch (type) {
        case "string" -> value.startsWith("\"");
        case "array" -> value.startsWith("[") || value.equals("null");
        case "object" -> value.startsWith("{") || value.equals("null");
        default -> Character.isDigit(value.charAt(0)) || value.startsWith("-") || value.equals("null");
      };
      if (!same) {
        return value;
      }
    }
  }

  String hugeNumber() {
    Map<String, String> message = base(c.hostileUuid());
    String number = c.pick(EXTREME_NUMBERS);
    switch (c.random.nextInt(6)) {
      case 0 -> message.put("time_pub", number);
      case 1 -> message.put("timeout", number);
      case 2 -> message.put("delay", number);
      case 3 -> message.put("args", array(number, "1"));
      case 4 -> message.put("args", array("1", number));
      default -> {
        message.remove("args");
        message.put("kwargs", "{\"a\":" + number + ",\"b\":" + c.pick(EXTREME_NUMBERS) + "}");
      }
    }
    return object(message);
  }

  String deepNesting() {
    String uuid = c.hostileUuid();
    int depth = c.pick(50, 500, 999, 1000, 1001, 1500, 2000, 3000, 3900);
    return switch (c.random.nextInt(6)) {
      case 0 -> {
        Map<String, String> message = base(uuid);
        int levels = Math.min(depth, 3700);
        message.put("args", array("[".repeat(levels) + "1" + "]".repeat(levels), "1"));
        yield object(message);
      }
      case 1 -> {
        int levels = Math.min(depth, 1200);
        Map<String, String> message = base(uuid);
        message.remove("args");
        message.put("kwargs", "{\"a\":" + "{\"a\":".repeat(levels) + "1" + "}".repeat(levels) + ",\"b\":1}");
        yield object(message);
      }
      case 2 -> "[".repeat(depth) + "]".repeat(depth); // not even an object
      case 3 -> {
        Map<String, String> message = base(uuid);
        int levels = Math.min(depth, 90);
        StringBuilder callbacks = new StringBuilder();
        for (int i = 0; i < levels; i++) {
          callbacks.append("[{\"task\":\"no.such.followup\",\"uuid\":\"cb").append(i).append("\",\"callbacks\":");
        }
        callbacks.append("null").append("}]".repeat(levels));
        message.put("callbacks", callbacks.toString());
        yield object(message);
      }
      case 4 -> {
        Map<String, String> message = base(uuid);
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 700; i++) {
          wide.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        message.put("wide", wide.append('}').toString());
        yield object(message);
      }
      default -> nestedEnvelopes(uuid);
    };
  }

  /** A one-part chunk envelope whose payload is a one-part envelope whose payload is ... a task message: as deep as fits. */
  private String nestedEnvelopes(String uuid) {
    Map<String, String> inner = base(uuid);
    inner.put("task", str("no.such.nested.task"));
    String current = object(inner);
    int level = 0;
    while (true) {
      String wrapped = ChunkAbuse.envelope(str("v1"), str(c.messageId("n") + "-" + level), "0", "1", str(current));
      if (Utf8.length(wrapped) >= 7900) {
        return current;
      }
      current = wrapped;
      level++;
    }
  }

  String hugeString() {
    String uuid = c.hostileUuid();
    Map<String, String> message = base(uuid);
    int length = 6800 + c.random.nextInt(400);
    switch (c.random.nextInt(8)) {
      case 0 -> message.put("task", str(Json.repeat('x', length)));
      case 1 -> message.put("task", str("dev.dispatcher.demo.DemoTasks." + Json.repeat('y', length - 40)));
      case 2 -> message.put("uuid", str(Json.repeat('u', length)));
      case 3 -> message.put("args", array(str(Json.repeat('a', length)), "1"));
      case 4 -> message.put(Json.repeat('k', length), "1");
      case 5 -> message.put("args", array(str(Json.repeat('€', 2400)), "1")); // 3 bytes each
      case 6 -> message.put("note", str("\uD83D\uDE80".repeat(1800))); // 4 bytes each
      default -> message.put("args", array("\"" + "\\u0041".repeat(1200) + "\"", "1")); // escapes that decode to 1200 characters
    }
    return object(message);
  }

  /** Characters that must not reach a log line as such, in the task name or the uuid (JSON-escaped, so the JSON is valid), or raw (so it is not). */
  private static final List<String> HOSTILE_TEXT = List.of("\\n", "\\r\\n", "\\u001b[31mRED\\u001b[0m", "\\u0000", "\\u0007",
      "\\t", "\\u2028", "\\u2029", "\\u202e", "\\ud800", "\\udfff\\ud800", "\\b\\f", "\\u0085",
      "\\n2026-12-01T00:00:00.000Z ERROR [dispatcher-loop] DispatchLoop - forged line",
      "\\r\\n2026-12-01T00:00:00.000Z INFO  [main] Dispatcher - dispatcher stopped: received=0");

  String controlCharacters() {
    String uuid = c.hostileUuid();
    Map<String, String> message = base(uuid);
    String text = c.pick(HOSTILE_TEXT);
    switch (c.random.nextInt(5)) {
      case 0 -> message.put("task", "\"" + Context.SUM2 + text + "\"");
      case 1 -> message.put("task", "\"" + text + "no.such.task" + text + "\"");
      case 2 -> message.put("uuid", "\"" + uuid + text + "\"");
      case 3 -> message.put("args", array("\"" + text + "\"", "1"));
      default -> message.put("task", "\"" + Context.HELLO + c.pick("\n", "\r", "\t", "\u001b", "\u0001", "\u007f") + "\""); // raw: invalid JSON
    }
    return object(message);
  }

  String delayFlood() {
    Map<String, String> message = base(c.hostileUuid());
    if (c.random.nextBoolean()) {
      message.put("task", str(Context.HELLO));
      message.remove("args");
    }
    message.put("delay", c.pick("600", "3600", "86400", "1e6", "1e9", "3.15e10", "1e15", "1e100", "1e308", "1.7976931348623157e308"));
    if (c.random.nextInt(4) == 0) {
      message.put("timeout", c.pick("1", "1e9", "1e308"));
    }
    return object(message);
  }

  /** A valid message: a demo task, no delay, the uuid the test counts runs of. */
  String valid(String uuid) {
    Map<String, String> message = base(uuid);
    if (c.random.nextInt(3) == 0) {
      message.put("task", str(Context.HELLO));
      message.remove("args");
    }
    return object(message);
  }
}
