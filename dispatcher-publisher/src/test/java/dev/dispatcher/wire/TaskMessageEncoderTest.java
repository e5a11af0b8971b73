package dev.dispatcher.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TaskMessageEncoderTest {

  public record Point(int x, String label) {}

  public record Order(long id, List<Point> points, LocalDate day) {}

  /** A bean whose only property cannot be read. */
  public static final class Broken {
    public String getValue() {
      throw new IllegalStateException("boom");
    }
  }

  /** Private fields, no getters: Jackson finds no property and would write {}. */
  public static final class Opaque {
    private final String secret = "lost";

    @Override
    public String toString() {
      return secret;
    }
  }

  /** A record with no components: {} is all there is to it. */
  public record Marker() {}

  /** A record whose component hides an empty bean. */
  public record Wrapper(String name, Object inner) {}

  private static final Instant T = Instant.ofEpochSecond(1_700_000_000, 500_000_000);

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final TaskMessageEncoder encoder = new TaskMessageEncoder(mapper);

  private static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private String encode(List<?> args, Map<String, ?> kwargs) {
    return encoder.encode(new TaskMessageEncoder.Fields("u", "t", args, kwargs, T, 0, 0, null, false));
  }

  /** The raw JSON text of one top-level number field. */
  private static String rawNumber(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":(-?[0-9][0-9.eE+-]*)[,}]").matcher(json);
    assertThat(m.find()).as("number field %s in %s", key, json).isTrue();
    return m.group(1);
  }

  @Test
  void everyFieldSetGivesTheWireKeyOrder() throws Exception {
    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put("subject", "hi");
    kwargs.put("count", 2);
    String text = encoder.encode(new TaskMessageEncoder.Fields(
        "u-1", "app.tasks.send", List.of(1, "two"), kwargs, T, 30, 2.5, "queue_one", true));

    assertThat(text).startsWith("{\"uuid\":\"u-1\",\"args\":[1,\"two\"],\"kwargs\":{\"subject\":\"hi\",\"count\":2},"
        + "\"task\":\"app.tasks.send\",\"time_pub\":1700000000.500000,");
    JsonNode node = mapper.readTree(text);
    assertThat(keys(node)).containsExactly(
        "uuid", "args", "kwargs", "task", "time_pub", "timeout", "delay", "on_duplicate", "bind");
    assertThat(node.get("timeout").doubleValue()).isEqualTo(30.0);
    assertThat(node.get("delay").doubleValue()).isEqualTo(2.5);
    assertThat(node.get("on_duplicate").textValue()).isEqualTo("queue_one");
    assertThat(node.get("bind").booleanValue()).isTrue();
    assertThat(text).doesNotContain(" ");
  }

  @Test
  void theWholeMessageIsPinnedByteForByte() {
    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put("subject", "hi \"you\"");
    kwargs.put("point", new Point(1, "p"));
    String text = encoder.encode(new TaskMessageEncoder.Fields(
        "u-1", "app.tasks.send", Arrays.asList(1, 7L, "two", null, true, 2.5), kwargs, T, 30, 2.5, "queue_one", true));

    assertThat(text).isEqualTo("{\"uuid\":\"u-1\",\"args\":[1,7,\"two\",null,true,2.5],"
        + "\"kwargs\":{\"subject\":\"hi \\\"you\\\"\",\"point\":{\"x\":1,\"label\":\"p\"}},"
        + "\"task\":\"app.tasks.send\",\"time_pub\":1700000000.500000,\"timeout\":30.0,\"delay\":2.5,"
        + "\"on_duplicate\":\"queue_one\",\"bind\":true}");
  }

  @Test
  void timePubIsPlainSecondsWithMicroseconds() throws Exception {
    Object[][] cases = {
        {Instant.ofEpochSecond(1_700_000_000, 500_000_000), "1700000000.500000"},
        {Instant.ofEpochSecond(1_700_000_000, 5_000), "1700000000.000005"},
        {Instant.ofEpochSecond(1_700_000_000, 120_000), "1700000000.000120"},
        {Instant.ofEpochSecond(1_700_000_000, 999), "1700000000.000000"},
        {Instant.ofEpochSecond(1_700_000_000, 123_456_789), "1700000000.123456"},
        {Instant.ofEpochSecond(1_700_000_000), "1700000000.000000"},
    };
    for (Object[] c : cases) {
      String text = encoder.encode(new TaskMessageEncoder.Fields("u", "t", null, null, (Instant) c[0], 0, 0, null, false));
      assertThat(rawNumber(text, "time_pub")).as("%s", c[0]).isEqualTo(c[1]);
      assertThat(mapper.readTree(text).get("time_pub").doubleValue())
          .isEqualTo(Double.parseDouble((String) c[1]));
    }
  }

  @Test
  void unsetOptionsAndEmptyArgumentsAreOmitted() throws Exception {
    String text = encoder.encode(new TaskMessageEncoder.Fields("u-2", "t", List.of(), Map.of(), T, 0, 0, null, false));
    assertThat(keys(mapper.readTree(text))).containsExactly("uuid", "task", "time_pub");
    // an explicit policy is written even when it is the wire default: it may override a task's own default
    String parallel = encoder.encode(new TaskMessageEncoder.Fields("u-2", "t", List.of(), Map.of(), T, 0, 0, "parallel", false));
    assertThat(mapper.readTree(parallel).get("on_duplicate").textValue()).isEqualTo("parallel");
    String nulls = encoder.encode(new TaskMessageEncoder.Fields("u-3", "t", null, null, T, 0, 0, null, false));
    assertThat(nulls).isEqualTo("{\"uuid\":\"u-3\",\"task\":\"t\",\"time_pub\":1700000000.500000}");
  }

  @Test
  void eachOptionAppearsOnlyWhenSet() throws Exception {
    JsonNode onlyDelay = mapper.readTree(encoder.encode(
        new TaskMessageEncoder.Fields("u", "t", List.of(), Map.of(), T, 0, 3, null, false)));
    assertThat(keys(onlyDelay)).containsExactly("uuid", "task", "time_pub", "delay");

    JsonNode onlyBind = mapper.readTree(encoder.encode(
        new TaskMessageEncoder.Fields("u", "t", List.of(), Map.of(), T, 0, 0, null, true)));
    assertThat(keys(onlyBind)).containsExactly("uuid", "task", "time_pub", "bind");

    JsonNode onlyKwargs = mapper.readTree(encoder.encode(
        new TaskMessageEncoder.Fields("u", "t", List.of(), Map.of("a", 1), T, 0, 0, "discard", false)));
    assertThat(keys(onlyKwargs)).containsExactly("uuid", "kwargs", "task", "time_pub", "on_duplicate");
  }

  @Test
  void fractionalAndTinyOptionsAreValidJsonNumbers() throws Exception {
    JsonNode node = mapper.readTree(encoder.encode(
        new TaskMessageEncoder.Fields("u", "t", null, null, T, 0.0001, 1e7, null, false)));
    assertThat(node.get("timeout").doubleValue()).isEqualTo(0.0001);
    assertThat(node.get("delay").doubleValue()).isEqualTo(1e7);
  }

  @Test
  void javaTimeValuesAreIsoStrings() {
    String text = encode(List.of(LocalDate.of(2024, 2, 29), Instant.parse("2024-01-02T03:04:05.123Z")),
        Map.of("day", LocalDate.of(1999, 12, 31)));

    assertThat(text).contains("\"args\":[\"2024-02-29\",\"2024-01-02T03:04:05.123Z\"]");
    assertThat(text).contains("\"kwargs\":{\"day\":\"1999-12-31\"}");
  }

  @Test
  void recordsAreWrittenAsObjects() throws Exception {
    Order order = new Order(7, List.of(new Point(1, "a"), new Point(2, "é\"")), LocalDate.of(2024, 5, 1));
    String text = encode(List.of(new Point(3, "p")), Map.of("order", order));

    assertThat(text).contains("\"args\":[{\"x\":3,\"label\":\"p\"}]");
    assertThat(text).contains("\"kwargs\":{\"order\":{\"id\":7,\"points\":[{\"x\":1,\"label\":\"a\"},"
        + "{\"x\":2,\"label\":\"é\\\"\"}],\"day\":\"2024-05-01\"}}");
    assertThat(mapper.readTree(text).get("kwargs").get("order").get("points").get(1).get("label").textValue())
        .isEqualTo("é\"");
  }

  @Test
  void scalarArgumentsMeanWhatJacksonWouldWrite() throws Exception {
    List<Object> args = new ArrayList<>();
    args.add(null);
    args.add("x");
    args.add(Long.MAX_VALUE);
    args.add(Long.MIN_VALUE);
    args.add(Integer.MIN_VALUE);
    args.add(true);
    args.add(false);
    args.add(0.1);
    args.add(-0.0);
    args.add(1e300);
    args.add(4.9e-324);
    args.add(3.5f);
    args.add((short) 7);
    args.add(new BigDecimal("12345678901234567890.123456789"));
    args.add('c');

    String text = encode(args, Map.of());

    assertThat(mapper.readTree(text).get("args")).isEqualTo(mapper.readTree(mapper.writeValueAsString(args)));
    assertThat(text).contains("\"args\":[null,\"x\",9223372036854775807,-9223372036854775808,-2147483648,true,false,");
  }

  @Test
  void everyCharacterOfAStringSurvives() throws Exception {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x800; c++) {
      all.append(c);
    }
    all.append("\u2028\u2029\uFEFF\uFFFF😀𝄞");
    Random random = new Random(11);
    for (int i = 0; i < 2_000; i++) {
      int codePoint = random.nextInt(0x10FFFF);
      if (codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE) {
        all.appendCodePoint(codePoint);
      }
    }
    String awkward = all.toString();

    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put(awkward, awkward);
    kwargs.put("\"key\\\n", List.of(awkward));
    String text = encoder.encode(new TaskMessageEncoder.Fields(awkward, awkward, List.of(awkward), kwargs, T, 0, 0,
        null, false));

    JsonNode node = mapper.readTree(text);
    assertThat(node.get("uuid").textValue()).isEqualTo(awkward);
    assertThat(node.get("task").textValue()).isEqualTo(awkward);
    assertThat(node.get("args").get(0).textValue()).isEqualTo(awkward);
    assertThat(node.get("kwargs")).isEqualTo(mapper.valueToTree(kwargs));
    for (int i = 0; i < text.length(); i++) {
      assertThat(text.charAt(i) < 0x20).as("raw control character at %d", i).isFalse();
    }
  }

  @Test
  void controlCharactersUseTheShortEscapes() {
    String text = encode(List.of("\b\f\n\r\t\u0000\u001f\"\\/"), Map.of());
    assertThat(text).contains("\"args\":[\"\\b\\f\\n\\r\\t\\u0000\\u001f\\\"\\\\/\"]");
  }

  @Test
  void unwritableArgumentIsRejectedNamingWhereItIs() {
    assertThatThrownBy(() -> encode(List.of("fine", new Broken()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args[1]")
        .hasMessageContaining(Broken.class.getName());

    assertThatThrownBy(() -> encode(List.of(), Map.of("thing", new Broken())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kwargs.thing");
  }

  @Test
  void anArgumentJacksonWouldWriteAsAnEmptyObjectIsRefusedNamingItAndItsType() {
    assertThatThrownBy(() -> encode(List.of("fine", new Opaque()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task argument args[1] (" + Opaque.class.getName() + ")")
        .hasMessageContaining("would be sent as {}")
        .hasMessageNotContaining("disable SerializationFeature");
    assertThatThrownBy(() -> encode(List.of(new Object()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args[0] (java.lang.Object)")
        .hasMessageContaining("would be sent as {}");
    assertThatThrownBy(() -> encode(List.of(), Map.of("order", new Opaque())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task argument kwargs.order (" + Opaque.class.getName() + ")");
  }

  @Test
  void anEmptyObjectNestedInAnArgumentIsRefusedWithItsPath() {
    assertThatThrownBy(() -> encode(List.of(new Wrapper("w", new Opaque())), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task argument args[0] (" + Wrapper.class.getName() + ")")
        .hasMessageContaining("args[0].inner (" + Opaque.class.getName() + ") would be sent as {}");
    assertThatThrownBy(() -> encode(List.of(List.of(1, new Object())), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args[0][1] (java.lang.Object) would be sent as {}");
    assertThatThrownBy(() -> encode(List.of(), Map.of("m", Map.of("k", new Opaque()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kwargs.m.k (" + Opaque.class.getName() + ") would be sent as {}");
  }

  @Test
  void emptyMapsListsAndComponentlessRecordsAreStillSent() throws Exception {
    // {} and [] are what these values are: nothing is lost, and the daemon binds them back
    String text = encode(List.of(Map.of(), List.of(), new Marker(), new Wrapper("w", Map.of())), Map.of("none", Map.of()));
    JsonNode node = mapper.readTree(text);
    assertThat(node.get("args").toString()).isEqualTo("[{},[],{},{\"name\":\"w\",\"inner\":{}}]");
    assertThat(node.get("kwargs").toString()).isEqualTo("{\"none\":{}}");
    assertThat(mapper.convertValue(node.get("args").get(2), Marker.class)).isEqualTo(new Marker());
  }
}
