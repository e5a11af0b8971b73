package dev.dispatcher.tools.fuzz;

import static dev.dispatcher.tools.fuzz.Json.object;
import static dev.dispatcher.tools.fuzz.Json.str;

import dev.dispatcher.wire.Chunker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chunk envelopes ({@code {"__dispatcherd_chunk__":"v1","message_id":…,"index":…,"total":…,"payload":…}})
 * that abuse reassembly, and the parts of valid chunked messages. Hostile message ids start with
 * {@code fz}, so they never meet the id of a valid message.
 */
final class ChunkAbuse {

  /** The totals a reassembler must never size anything by. */
  static final List<Long> HUGE_TOTALS = List.of(2_147_483_647L, 2_147_483_646L, 1_000_000_000L, 268_435_456L, 50_000_000L, 10_000_000L);

  private static final String V1 = str(Chunker.MARKER_VERSION);

  private final Context c;
  /** One id that many sets share over the whole run. */
  private final String sharedId;

  ChunkAbuse(Context c) {
    this.c = c;
    this.sharedId = c.messageId("shared");
  }

  /** An envelope of raw JSON values; a null value leaves its key out. */
  static String envelope(String marker, String messageId, String index, String total, String payload) {
    Map<String, String> members = new LinkedHashMap<>();
    members.put(Chunker.MARKER_KEY, marker);
    members.put("message_id", messageId);
    members.put("index", index);
    members.put("total", total);
    members.put("payload", payload);
    return object(members);
  }

  private static String part(String messageId, long index, long total, String payload) {
    return envelope(V1, str(messageId), Long.toString(index), Long.toString(total), str(payload));
  }

  /**
   * The parts of a whole message of ASCII text without backslashes (so any cut is safe), in
   * order, each payload at most {@code partLength} characters.
   */
  static List<String> split(String messageId, String text, int partLength) {
    int total = (text.length() + partLength - 1) / partLength;
    List<String> parts = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      parts.add(part(messageId, i, total, text.substring(i * partLength, Math.min(text.length(), (i + 1) * partLength))));
    }
    return parts;
  }

  List<String> hugeTotal() {
    long total = c.pick(HUGE_TOTALS);
    long index = switch (c.random.nextInt(3)) {
      case 0 -> 0;
      case 1 -> total - 1;
      default -> c.random.nextLong(total);
    };
    return List.of(part(c.messageId("t"), index, total, c.pick("x", "", "{\"task\":")));
  }

  List<String> badIndex() {
    String id = str(c.messageId("b"));
    String payload = str("x");
    String[][] indexAndTotal = {
        {"-1", "2"}, {"2", "2"}, {"3", "2"}, {"-2147483648", "2"}, {"2147483647", "2"}, {"0", "0"}, {"0", "-1"},
        {"0", "-2147483648"}, {"2147483648", "4"}, {"0", "2147483648"}, {"0", "9223372036854775808"}, {"1.5", "2"},
        {"0", "2.0"}, {"\"0\"", "2"}, {"0", "\"2\""}, {"null", "2"}, {"0", "null"}, {"[]", "2"}, {"0", "{}"}, {"0", "1e308"},
        {"1e308", "2"}, {"-0", "1"}, {"0", "-0"}, {null, "2"}, {"0", null}, {"true", "2"}, {"0", "NaN"}};
    return List.of(switch (c.random.nextInt(5)) {
      case 0, 1 -> {
        String[] pair = c.pick(indexAndTotal);
        yield envelope(V1, id, pair[0], pair[1], payload);
      }
      case 2 -> envelope(V1, c.pick("1", "null", "{}", "[]", "true", str(""), str(Json.repeat('i', 7000)), null), "0", "2", payload);
      case 3 -> envelope(V1, id, "0", "2", c.pick("1", "null", "{}", "[\"a\"]", "true", null));
      default -> envelope(c.pick(str("v2"), str(""), str("V1"), "1", "null", "{}", "true"), id, "0", "2", payload);
    });
  }

  List<String> conflictingTotal() {
    String id = c.messageId("c");
    return switch (c.random.nextInt(3)) {
      case 0 -> List.of(part(id, 0, 3, "a"), part(id, 1, 5, "b"));
      case 1 -> List.of(part(id, 0, 2, "a"), part(id, 1, 3, "b"), part(id, 1, 2, "c"));
      default -> List.of(part(id, 0, 1000, "a"), part(id, 1, 2, "b"), part(id, 0, 1000, "c"));
    };
  }

  List<String> reusedId() {
    return switch (c.random.nextInt(4)) {
      // halves of {"task":"no.such.reused","uuid":"fz-shared"} on the shared id: sometimes they meet and complete
      case 0 -> List.of(c.random.nextBoolean() ? part(sharedId, 0, 2, "{\"task\":\"no.such.reused\",")
          : part(sharedId, 1, 2, "\"uuid\":\"fz-shared\"}"));
      case 1 -> List.of(part(sharedId, c.random.nextInt(3), 3, "{}")); // contradicts the sets of 2 on the same id
      case 2 -> {
        String id = c.messageId("d"); // an index sent twice: the first copy counts
        yield List.of(part(id, 0, 3, "{\"a\":"), part(id, 0, 3, "garbage"), part(id, 1, 3, "1"), part(id, 2, 3, "}"));
      }
      default -> {
        String id = c.messageId("r"); // completes, then the same id starts a set that never completes
        yield List.of(part(id, 0, 2, "{\"task\":"), part(id, 1, 2, "\"no.such.again\"}"), part(id, 0, 2, "{"));
      }
    };
  }

  List<String> neverComplete() {
    String id = c.messageId("n");
    int total = 2 + c.random.nextInt(15);
    int missing = c.random.nextInt(total);
    List<String> parts = new ArrayList<>(total - 1);
    for (int i = 0; i < total; i++) {
      if (i != missing) {
        parts.add(part(id, i, total, Json.repeat('p', 1 + c.random.nextInt(7000))));
      }
    }
    return parts;
  }

  List<String> amplification() {
    List<String> parts = new ArrayList<>();
    if (c.random.nextBoolean()) {
      int count = 5 + c.random.nextInt(16); // many sets of one tiny part each
      for (int i = 0; i < count; i++) {
        long total = c.pick(100_000L, 1_000_000L, 10_000_000L);
        parts.add(part(c.messageId("a"), c.random.nextLong(total), total, c.pick("x", "")));
      }
    } else {
      String id = c.messageId("a"); // one set, many tiny parts of a huge total
      int count = 20 + c.random.nextInt(31);
      for (int i = 0; i < count; i++) {
        parts.add(part(id, c.random.nextInt(1_000_000), 1_000_000, "y"));
      }
    }
    return parts;
  }

  /** A valid insert_row whose note makes it too large for one NOTIFY, as parts sent back to back. */
  List<String> validChunked(String uuid) {
    Map<String, String> message = new LinkedHashMap<>();
    message.put("uuid", str(uuid));
    message.put("args", Json.array(str("fuzz-valid-" + uuid + "-" + c.alphanumeric(9_000 + c.random.nextInt(11_000)))));
    message.put("task", str(Context.INSERT_ROW));
    message.put("time_pub", c.timePub());
    message.put("bind", "true");
    return split(c.messageId("v"), object(message), 3_500);
  }
}
