package dev.dispatcher.service.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast path against the Jackson path, on edge cases written by hand, on every prefix of real
 * messages, on seeded random messages and on random mutations of real ones: wherever the scanner
 * answers, it answers as Jackson does, and wherever Jackson refuses, the scanner leaves it.
 */
class PlainMessageScannerDifferentialTest {

  private static final List<String> SEEDS =
      List.of(PlainMessageScannerTest.BENCH, PlainMessageScannerTest.PYTHON, PlainMessageScannerTest.FULL);

  private static final String HEAD = "{\"uuid\":\"u\",\"task\":\"t\"";

  private final FastPathCheck check = new FastPathCheck();

  /** A message with the given text after its uuid and task, e.g. {@code ,"timeout":1}. */
  private static String message(String rest) {
    return HEAD + rest + "}";
  }

  private static String arg(String value) {
    return message(",\"args\":[" + value + "]");
  }

  private static String kwarg(String value) {
    return message(",\"kwargs\":{\"k\":" + value + "}");
  }

  @Test
  void handWrittenEdgeCasesReadAsJacksonReadsThem() {
    List<String> cases = new ArrayList<>(SEEDS);
    // strings: escapes (decoded as Jackson does), bad escapes, control characters, unicode, surrogates
    for (String string : List.of("\"a\\nb\"", "\"\\u00e9\\u00E9\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\uDFFF x\"",
        "\"\\u0000\"", "\"\\/\\b\\f\\r\\t\"", "\"\\\"\"", "\"\\\\\"", "\"x\\\\\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"",
        "\"\\U0041\"", "\"\\\"", "\"\\", "\"\u0001\"", "\"\t\"", "\"\n\"", "\"\u001f\"", "\"\u007f\"", "\"é€😀\"", "\"\uD800\"",
        "\"\uDC00\uD800\"", "\"\"", "\"a\"b\"", "\"\\u00\"", "'x'")) {
      cases.add(arg(string));
      cases.add(kwarg(string));
      cases.add(message(",\"kwargs\":{" + string + ":1}"));
      cases.add(message("," + string + ":1"));
    }
    cases.add("{\"ta\\u0073k\":\"t\"}");
    cases.add("{\"task\":\"t\",\"\\u0063ontrol\":\"alive\"}");
    cases.add("{\"task\":\"t\",\"uu\\u0069d\":\"escaped\"}");
    cases.add("{\"task\":\"t\\u0000\"}");
    cases.add("{\"task\":\"\\u0020\"}");
    // numbers: the int/long boundaries, 19 digits and more, exponents, zeros, forms JSON refuses
    for (String number : List.of("0", "-0", "0.0", "-0.0", "0e5", "-0E-5", "1e5", "1E5", "1e+5", "1e-5", "1.5e300", "1e-400",
        "4.9e-324", "5e-324", "2.2250738585072014E-308", "1.7976931348623157e308", "1.7976931348623159e308", "1e400", "0.1",
        "0.30000000000000004", "2147483647", "2147483648", "-2147483648", "-2147483649", "999999999", "1000000000",
        "123456789012345678", "-123456789012345678", "999999999999999999", "1000000000000000000", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1.23456789012345678",
        "9007199254740993", "9007199254740993.0", "9007199254740992.5", "9007199254740991.5", "1e22", "1e23", "123e20",
        "1.7e9", "1764600000.123456", "0.000001", "1e0000000000000000001", "1" + "0".repeat(70) + ".5", "0." + "1".repeat(80),
        "01", "-01", "00", "+1", ".5", "5.", "1.e5", "1e", "1e+", "-", "--1", "NaN", "-NaN", "Infinity", "-Infinity", "0x10",
        "1_000", "1.5.3", "1e5e5", "2147483647x")) {
      cases.add(arg(number));
      cases.add(kwarg(number));
      cases.add(message(",\"time_pub\":" + number));
      cases.add(message(",\"timeout\":" + number));
      cases.add(message(",\"delay\":" + number));
      cases.add(message(",\"unknown\":" + number));
    }
    // literals
    for (String literal : List.of("true", "false", "null", "tru", "nul", "falsey", "True", "NULL", "nulll", "t", "f", "n")) {
      cases.add(arg(literal));
      cases.add(kwarg(literal));
      cases.add(message(",\"unknown\":" + literal));
    }
    // the known keys: wrong types, limits, blanks, repeats
    for (String value : List.of("5", "null", "\"\"", "\"  \"", "\"\u2003\"", "\"\u00a0\"", "[]", "{}", "true", "\"x\"", "[1]",
        "{\"a\":1}", "-1", "3600", "3600.0000001", "7200", "7200.5", "\"serial\"", "\"SERIAL\"", "\"parallel\"", "\"discard\"",
        "\"queue_one\"", "\"queue-one\"", "\"ser\\u0069al\"")) {
      for (String key : List.of("task", "uuid", "args", "kwargs", "time_pub", "timeout", "delay", "on_duplicate", "callbacks",
          "errbacks", "control", "doorbell", "__dispatcherd_chunk__", "bind", "guid")) {
        cases.add("{\"task\":\"t\",\"" + key + "\":" + value + "}");
        cases.add("{\"" + key + "\":" + value + ",\"task\":\"t\"}");
        cases.add("{\"uuid\":\"u\",\"" + key + "\":" + value + ",\"" + key + "\":" + value + ",\"task\":\"t\"}");
      }
    }
    cases.add("{\"task\":\"t\",\"task\":\"t\"}");
    cases.add("{\"uuid\":null,\"task\":\"t\"}");
    cases.add("{\"task\":\"t\",\"uuid\":null,\"args\":null,\"kwargs\":null,\"time_pub\":null,\"timeout\":null,\"delay\":null,"
        + "\"on_duplicate\":null,\"callbacks\":null,\"errbacks\":null}");
    cases.add("{\"control\":\"alive\"}");
    cases.add("{\"__dispatcherd_chunk__\":\"v1\"}");
    cases.add("{\"control\":null,\"task\":\"t\"}");
    cases.add("{\"doorbell\":\"durable\"}");
    cases.add("{\"doorbell\":\"durable\",\"task\":\"t\"}");
    // structure: empty, broken, trailing text, JSON extensions Jackson refuses by default
    cases.addAll(List.of("", " ", "{}", "[]", "null", "\"task\"", "42", "{", "}", "{\"task\"}", "{\"task\":}", "{\"task\":\"t\",}",
        "{,\"task\":\"t\"}", "{\"task\":\"t\" \"uuid\":\"u\"}", "{'task':'t'}", "{task:\"t\"}", "{\"task\":\"t\"/*c*/}",
        "{\"task\":\"t\"}//c", "{\"task\":\"t\"}#c", "{\"task\":\"t\"} x", "{\"task\":\"t\"}{}", "{\"task\":\"t\"}]",
        "{\"task\":\"t\"}}", "{\"task\":\"t\"} ", " \t\r\n{\"task\":\"t\"}\n", "\uFEFF{\"task\":\"t\"}", "{\"task\":\"t\"}\u0000",
        "{\"task\":\"t\"\u00a0}", "{\"task\":\"t\",\u000b\"uuid\":\"u\"}", "{\"task\":\"t\",\f\"uuid\":\"u\"}",
        "{\"task\":\"t\"\u2028}", "{\"task\":\"t\",\"args\":[1,]}", "{\"task\":\"t\",\"args\":[,1]}", "{\"task\":\"t\",\"args\":[1 2]}",
        "{\"task\":\"t\",\"args\":[1,,2]}", "{\"task\":\"t\",\"kwargs\":{\"a\"}}", "{\"task\":\"t\",\"kwargs\":{\"a\":1,}}",
        "{\"task\":\"t\",\"kwargs\":{1:1}}", "{\"task\":\"t\",\"args\":[}", "{\"task\":\"t\",\"args\":{]}"));
    // unknown keys: nested values are skipped but checked
    for (String value : List.of("{\"a\":[1,{\"b\":null}],\"c\":\"d\"}", "[[[]]]", "[1,]", "{\"a\"}", "01", "\"\u0001\"", "tru",
        "{\"a\":1,\"a\":2}", "[\"\\q\"]", "[" + "[".repeat(40) + "]".repeat(40) + "]")) {
      cases.add(message(",\"extra\":" + value));
      cases.add(message(",\"callbacks\":" + value));
    }
    // duplicate keys inside kwargs: the last wins, and is all that is counted
    cases.add(message(",\"kwargs\":{\"a\":1,\"a\":2}"));
    cases.add(message(",\"kwargs\":{\"a\":[1,2,3],\"b\":0,\"a\":\"long text\"}"));
    cases.add(message(",\"kwargs\":{\"a\":{\"b\":1,\"b\":[2,{\"c\":3,\"c\":null}]}}"));
    cases.add(message(",\"args\":[{\"x\":\"1\",\"x\":\"22\"},{\"\":1,\"\":2}]"));
    cases.add(message(",\"kwargs\":{\"\":\"empty key\"}"));
    cases.add(message(",\"\":1"));
    // nesting around the depth limit, and far beyond it
    for (int depth : new int[] {29, 30, 31, 32, 33, 100, 999, 1000, 1001, 5000}) {
      cases.add(arg("[".repeat(depth) + "]".repeat(depth)));
      cases.add(kwarg("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)));
    }
    cases.add("[".repeat(100_000));
    cases.add("{\"task\":\"t\",\"args\":" + "[".repeat(100_000));
    // long strings and keys, around the scanner's and Jackson's limits
    for (int length : new int[] {49_998, 49_999, 50_000, 50_001, 60_000}) {
      cases.add(arg("\"" + "x".repeat(length) + "\""));
      cases.add(message(",\"kwargs\":{\"" + "k".repeat(length) + "\":1}"));
      cases.add(message(",\"" + "k".repeat(length) + "\":1"));
    }
    for (String payload : cases) {
      check.check(payload);
    }
    assertThat(check.accepted()).as("edge cases the fast path took").isGreaterThan(400);
    assertThat(check.rejectedByJackson()).as("edge cases Jackson refused").isGreaterThan(400);
  }

  @Test
  void keysInEveryOrderReadTheSame() {
    List<String> entries = List.of("\"uuid\":\"u\"", "\"args\":[1,\"a\"]", "\"kwargs\":{\"k\":[2.5]}", "\"task\":\"t\"",
        "\"time_pub\":1.5", "\"timeout\":3");
    List<List<String>> orders = permutations(entries);
    for (List<String> order : orders) {
      String payload = "{" + String.join(",", order) + "}";
      assertThat(check.check(payload)).as(payload).isTrue();
      assertThat(check.check("{ " + String.join(" , ", order).replace(":", " :\t") + " }")).as(payload).isTrue();
    }
    assertThat(orders).hasSize(720);
  }

  private static List<List<String>> permutations(List<String> items) {
    if (items.isEmpty()) {
      return List.of(List.of());
    }
    List<List<String>> all = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      List<String> rest = new ArrayList<>(items);
      String first = rest.remove(i);
      for (List<String> tail : permutations(rest)) {
        List<String> order = new ArrayList<>(List.of(first));
        order.addAll(tail);
        all.add(order);
      }
    }
    return all;
  }

  @Test
  void everyPrefixOfARealMessageIsLeftToJackson() {
    for (String seed : SEEDS) {
      for (int length = 0; length < seed.length(); length++) {
        check.check(seed.substring(0, length));
      }
      assertThat(check.check(seed)).as(seed).isTrue();
    }
    assertThat(check.accepted()).isEqualTo(SEEDS.size());
  }

  @Test
  void whitespaceBetweenEveryTokenReadsTheSame() {
    Random random = new Random(7);
    for (String seed : SEEDS) {
      for (int round = 0; round < 200; round++) {
        assertThat(check.check(withWhitespace(seed, random))).isTrue();
      }
    }
  }

  /** Inserts JSON whitespace at random outside strings. */
  private static String withWhitespace(String json, Random random) {
    StringBuilder out = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (!inString && "{}[],:".indexOf(c) >= 0 && random.nextInt(3) == 0) {
        out.append(" \t\n\r".charAt(random.nextInt(4)));
      }
      out.append(c);
      if (c == '"' && !escaped(json, i)) {
        inString = !inString;
      }
      if (!inString && "{}[],:".indexOf(c) >= 0 && random.nextInt(3) == 0) {
        out.append("  \n");
      }
    }
    return out.toString();
  }

  private static boolean escaped(String json, int quote) {
    int backslashes = 0;
    for (int i = quote - 1; i >= 0 && json.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  @Test
  void randomMessagesReadAsJacksonReadsThem() {
    RandomMessages messages = new RandomMessages(new Random(20251201));
    int cases = 30_000;
    for (int i = 0; i < cases; i++) {
      check.check(messages.next());
    }
    // most random messages are plain: the fast path must take them, not leave them all to Jackson
    assertThat(check.accepted()).as("random messages the fast path took").isGreaterThan(cases / 2)
        .isGreaterThan(5 * check.deferred());
  }

  @Test
  void mutationsOfRealMessagesNeverFoolTheFastPath() {
    Random random = new Random(42);
    RandomMessages messages = new RandomMessages(new Random(43));
    String alphabet = "{}[]\":,\\ \t\n\r0123456789.eE+-tfnulasrx\u0000\u001f\u007fé€\uD83D\uDE00\uD800\u00a0\uFEFF";
    int cases = 120_000;
    for (int i = 0; i < cases; i++) {
      String seed = i % 4 == 3 ? messages.next() : SEEDS.get(i % SEEDS.size());
      StringBuilder mutant = new StringBuilder(seed);
      for (int edits = 1 + random.nextInt(3); edits > 0 && !mutant.isEmpty(); edits--) {
        int at = random.nextInt(mutant.length());
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(5)) {
          case 0 -> mutant.deleteCharAt(at);
          case 1 -> mutant.insert(at, c);
          case 2 -> mutant.setCharAt(at, c);
          case 3 -> mutant.insert(at, mutant.substring(at, Math.min(mutant.length(), at + 1 + random.nextInt(8))));
          default -> mutant.setLength(at);
        }
      }
      check.check(mutant.toString());
    }
    assertThat(check.accepted()).as("mutants the fast path took").isGreaterThan(cases / 10);
    assertThat(check.rejectedByJackson()).as("mutants Jackson refused").isGreaterThan(cases / 3);
  }

  @Test
  void randomNoiseIsLeftToJackson() {
    Random random = new Random(5);
    String json = "{}[]\":,\\-0123456789.eE";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder noise = new StringBuilder();
      for (int length = random.nextInt(40); length > 0; length--) {
        noise.append(random.nextBoolean() ? json.charAt(random.nextInt(json.length())) : (char) random.nextInt(0x10000));
      }
      check.check(noise.toString());
      check.check("{\"task\":\"t\",\"args\":[" + noise);
      check.check("{\"task\":\"t\",\"args\":[\"" + noise + "\"]}");
    }
  }
}
