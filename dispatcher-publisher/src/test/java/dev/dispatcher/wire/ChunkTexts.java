package dev.dispatcher.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helpers: large wire messages full of awkward characters, and an envelope checker. */
final class ChunkTexts {

  /** Exactly the shape the spec prescribes: compact JSON, keys in this order. */
  static final Pattern ENVELOPE = Pattern.compile(
      "\\{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"([0-9a-f]{32})\",\"index\":(0|[1-9][0-9]*),"
          + "\"total\":([1-9][0-9]*),\"payload\":\"(.*)\"}",
      Pattern.DOTALL);

  /** One of everything that makes cutting hard: 2-, 3- and 4-byte UTF-8, and every JSON escape kind. */
  static final String AWKWARD = "é€😀 say \"hi\" C:\\dir\\ new\nline\ttab ctl\u0001\u001f end\\\\\" ";

  private ChunkTexts() {}

  static int utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** A task message of at least {@code minBytes} UTF-8 bytes, written as the publisher writes it. */
  static String awkwardMessage(int minBytes) {
    TaskMessageEncoder encoder = new TaskMessageEncoder(WireFormat.newObjectMapper());
    List<Object> args = new ArrayList<>();
    Map<String, Object> kwargs = new LinkedHashMap<>();
    int i = 0;
    String text;
    java.util.Random random = new java.util.Random(20_000 + minBytes);
    do {
      args.add(AWKWARD + randomAwkward(random, 400) + i);
      kwargs.put("k\"" + i + "\\", List.of(AWKWARD, i, Map.of("nested", AWKWARD)));
      i++;
      text = encoder.encode(new TaskMessageEncoder.Fields(
          "0f9c8b1e-2d3a-4c5b-9e8f-7a6b5c4d3e2f", "app.tasks.big", args, kwargs,
          java.time.Instant.ofEpochSecond(1_700_000_000, 250_000_000), 0, 0, null, false));
    } while (utf8(text) < minBytes);
    return text;
  }

  private static final String[] PIECES = {
      "a", "b", " ", "é", "€", "😀", "𝄞", "\"", "\\", "\n", "\t", "\u0001", "\u001f", "/", "\u2028"};

  /** Text made of random awkward pieces: cut positions land on every kind of character. */
  static String randomAwkward(java.util.Random random, int pieces) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < pieces; i++) {
      text.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return text.toString();
  }

  /** A parsed envelope, after checking its exact textual form. */
  record Envelope(String raw, String messageId, int index, int total, String payload) {}

  static Envelope parseEnvelope(ObjectMapper mapper, String raw) throws Exception {
    Matcher m = ENVELOPE.matcher(raw);
    assertThat(m.matches()).as("envelope has the exact compact form and key order: %s", head(raw)).isTrue();
    JsonNode node = mapper.readTree(raw);
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("__dispatcherd_chunk__", "message_id", "index", "total", "payload");
    assertThat(mapper.writeValueAsString(node)).as("compact JSON, nothing else").isEqualTo(raw);
    return new Envelope(raw, m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
        node.get("payload").textValue());
  }

  /** Fails when the payload holds half of a surrogate pair. */
  static void assertNoLoneSurrogates(String payload) {
    for (int i = 0; i < payload.length(); i++) {
      char c = payload.charAt(i);
      if (Character.isHighSurrogate(c)) {
        assertThat(i + 1 < payload.length() && Character.isLowSurrogate(payload.charAt(i + 1)))
            .as("high surrogate at %d of a payload is followed by its low half", i).isTrue();
        i++;
      } else {
        assertThat(Character.isLowSurrogate(c)).as("lone low surrogate at %d of a payload", i).isFalse();
      }
    }
  }

  /**
   * Fails when cutting {@code text} before index {@code cut} would split a JSON escape. Uses the
   * parity of the backslash run before a position (in valid JSON backslashes occur only inside
   * strings, and an odd run ends in an escaping backslash), independently of any string tracking.
   */
  static void assertCutOutsideEscapes(String text, int cut) {
    assertThat(escapingBackslashEndsAt(text, cut - 1))
        .as("cut at %d falls right after an escaping backslash: ...%s|%s...", cut,
            text.substring(Math.max(0, cut - 12), cut), text.substring(cut, Math.min(text.length(), cut + 6)))
        .isFalse();
    for (int j = Math.max(0, cut - 5); j < cut - 1; j++) {
      boolean unicodeEscape = escapingBackslashEndsAt(text, j) && text.charAt(j + 1) == 'u';
      assertThat(unicodeEscape && j + 6 > cut)
          .as("cut at %d splits the \\u escape starting at %d: %s", cut, j, text.substring(j, Math.min(text.length(), j + 6)))
          .isFalse();
    }
    if (cut > 0 && cut < text.length()) {
      assertThat(Character.isHighSurrogate(text.charAt(cut - 1)) && Character.isLowSurrogate(text.charAt(cut)))
          .as("cut at %d splits a surrogate pair", cut).isFalse();
    }
  }

  /** True when text[j] is a backslash that escapes the next character (odd run of backslashes ending at j). */
  private static boolean escapingBackslashEndsAt(String text, int j) {
    if (j < 0 || text.charAt(j) != '\\') {
      return false;
    }
    int run = 0;
    for (int k = j; k >= 0 && text.charAt(k) == '\\'; k--) {
      run++;
    }
    return run % 2 == 1;
  }

  static String head(String text) {
    return text.length() > 160 ? text.substring(0, 160) + "..." : text;
  }
}
