package dev.dispatcher.service.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.wire.TaskMessageEncoder;
import dev.dispatcher.wire.WireFormat;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fast path takes the messages the daemon is sent, and leaves the rest to Jackson. */
class PlainMessageScannerTest {

  /** The bench tool's message. */
  static final String BENCH = "{\"uuid\":\"4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f\",\"args\":[17],\"kwargs\":{},"
      + "\"task\":\"dev.dispatcher.tools.bench.BenchTasks.noop\",\"time_pub\":1764600000.123456}";
  /** As the Python dispatcher writes one: spaces after separators, non-ASCII escaped. */
  static final String PYTHON = "{\"uuid\": \"0d3c6f1e-8c1b-4b7e-9d0a-3f2e1c4b5a69\", \"args\": [1, \"x\", -2.5e-3, true, null], "
      + "\"kwargs\": {\"a\": [1, {\"b\": null}], \"caf\\u00e9\": \"\\ud83d\\ude00 \\\"q\\\"\"}, \"task\": \"m.f\", "
      + "\"time_pub\": 1700000000.0, \"guid\": \"g-1\"}";
  /** Every known key, and unknown ones. */
  static final String FULL = "{\"uuid\":\"u-full\",\"args\":[[1,[2,[3]]],{\"k\":{\"n\":null}},\"\",922337203685477580],"
      + "\"kwargs\":{\"x\":-922337203685477580,\"y\":2147483648,\"z\":[false,0.0,-0,1e-7]},\"task\":\"app.tasks.full\","
      + "\"time_pub\":1764600000,\"timeout\":30.5,\"delay\":2,\"on_duplicate\":\"queue_one\",\"bind\":true,"
      + "\"callbacks\":[{\"task\":\"c\",\"args\":[1]}],\"errbacks\":null,\"guid\":\"corr-1\",\"extra\":{\"deep\":[[[]]]}}";

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final PlainMessageScanner scanner = new PlainMessageScanner(mapper.getNodeFactory(), FastPathCheck.LIMITS);
  private final FastPathCheck check = new FastPathCheck();

  @Test
  void theBenchMessageTakesTheFastPath() {
    TaskMessageReader.Fields fields = scanner.scan(BENCH);
    assertThat(fields).isNotNull();
    assertThat(fields.uuid).isEqualTo("4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f");
    assertThat(fields.task).isEqualTo("dev.dispatcher.tools.bench.BenchTasks.noop");
    assertThat(fields.args).containsExactly(IntNode.valueOf(17));
    assertThat(fields.kwargs).isEmpty();
    assertThat(fields.options()).isEqualTo(new TaskMessage.Options(1764600000.123456, 0, 0, OnDuplicate.PARALLEL, false, false));
    assertThat(fields.argumentBytes).isEqualTo(MessageSize.tree(fields.args) + MessageSize.tree(fields.kwargs));
    assertThat(check.check(BENCH)).isTrue();
  }

  @Test
  void aMessageWithEveryKnownKeyTakesTheFastPath() {
    TaskMessageReader.Fields fields = scanner.scan(FULL);
    assertThat(fields).isNotNull();
    assertThat(fields.options()).isEqualTo(new TaskMessage.Options(1764600000, 30.5, 2, OnDuplicate.QUEUE_ONE, true, true));
    assertThat(check.check(FULL)).isTrue();
  }

  @Test
  void messagesFromTheJavaPublisherTakeTheFastPath() {
    TaskMessageEncoder encoder = new TaskMessageEncoder(mapper);
    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put("text", "quotes \" backslash \\ newline \n tab \t bell \u0007 é€😀");
    kwargs.put("nested", Map.of("list", List.of(1, 2.5, "x"), "empty", Map.of()));
    kwargs.put("none", null);
    kwargs.put("big", 3_000_000_000L);
    List<TaskMessageEncoder.Fields> messages = List.of(
        new TaskMessageEncoder.Fields("u-1", "app.tasks.add", List.of(1, 2), Map.of(), Instant.ofEpochSecond(1_764_600_000, 123_456_000),
            0, 0, null, false),
        new TaskMessageEncoder.Fields("u-2", "app.tasks.all", Arrays.asList(-1, 2_147_483_648L, "s", true, false, null, 1.0E10, -0.0,
            Double.MIN_VALUE, Double.MAX_VALUE, List.of(List.of()), Map.of("k", "v")), kwargs, Instant.ofEpochSecond(1_700_000_000),
            30, 2.5, "serial", true),
        new TaskMessageEncoder.Fields("u-3", "app.tasks.none", List.of(), Map.of(), Instant.ofEpochSecond(0, 1_000), 7200, 3600,
            "queue_one", false));
    for (TaskMessageEncoder.Fields message : messages) {
      String payload = encoder.encode(message);
      assertThat(check.check(payload)).as(payload).isTrue();
    }
  }

  @Test
  void messagesShapedAsThePythonDispatcherWritesThemTakeTheFastPath() {
    for (String payload : List.of(
        "{\"uuid\": \"9b2f\", \"args\": [1, \"x\"], \"kwargs\": {\"a\": [1, {\"b\": null}]}, \"task\": \"m.f\", \"time_pub\": 1.7e9, "
            + "\"guid\": \"c0ffee\"}",
        PYTHON,
        "{\"uuid\": \"9b2f\", \"args\": [], \"kwargs\": {}, \"task\": \"m.f\", \"time_pub\": 1764600000.123456, \"timeout\": 5, "
            + "\"delay\": 0.5, \"on_duplicate\": \"discard\", \"bind\": true, \"callbacks\": [{\"task\": \"m.g\"}], \"errbacks\": null}",
        "{\"uuid\": \"9b2f\", \"args\": [\"caf\\u00e9\", \"\\ud83d\\ude00\", 1.5, -3], \"kwargs\": {\"k\": {\"n\": [true, false]}}, "
            + "\"task\": \"m.f\", \"time_pub\": 1700000000.0}")) {
      assertThat(check.check(payload)).as(payload).isTrue();
    }
  }

  @Test
  void aMessageWithoutAUuidCountsOnTheReadersOneCounterWhicheverPathReadsIt() {
    TaskMessageReader reader = new TaskMessageReader(mapper, FastPathCheck.LIMITS);
    assertThat(reader.read("{\"task\":\"t\"}", "tasks").uuid()).isEqualTo("internal-1");
    assertThat(reader.readWithJackson("{\"task\":\"t\"}", "tasks").uuid()).isEqualTo("internal-2");
    TaskMessage third = reader.read("{\"task\":\"t\",\"uuid\":null}", "tasks");
    assertThat(third.uuid()).isEqualTo("internal-3");
    assertThat(third.raw().get("uuid").asText()).isEqualTo("internal-3");
    assertThat(third.raw().get("channel").asText()).isEqualTo("tasks");
  }

  @Test
  void whatJacksonReadsOtherwiseOrMayReadIsLeftToIt() {
    TaskMessageReader reader = new TaskMessageReader(mapper, FastPathCheck.LIMITS);
    for (String payload : List.of(
        "{\"task\":\"t\",\"task\":\"u\"}",
        "{\"task\":\"t\",\"args\":[1000000000000000000]}",
        "{\"task\":\"t\",\"time_pub\":1764600000123456789}",
        "{\"task\":\"t\",\"args\":" + "[".repeat(PlainMessageScanner.MAX_DEPTH) + "]".repeat(PlainMessageScanner.MAX_DEPTH) + "}",
        "{\"task\":\"t\",\"args\":[\"" + "x".repeat(PlainMessageScanner.MAX_TEXT_CHARS) + "\"]}",
        "{\"task\":\"t\",\"args\":[1." + "5".repeat(PlainMessageScanner.MAX_NUMBER_CHARS) + "]}")) {
      assertThat(scanner.scan(payload)).as(payload).isNull();
      assertThat(reader.read(payload, "tasks").task()).as(payload).isIn("t", "u");
    }
    assertThat(scanner.scan("{\"task\":\"t\",\"args\":" + "[".repeat(PlainMessageScanner.MAX_DEPTH - 1)
        + "]".repeat(PlainMessageScanner.MAX_DEPTH - 1) + "}")).isNotNull();
    assertThat(scanner.scan(null)).isNull();
  }

  @Test
  void onlyAMapperThatReadsJsonAsTheScannerAssumesGetsTheFastPath() {
    assertThat(PlainMessageScanner.agreesWith(WireFormat.newObjectMapper())).isTrue();
    assertThat(PlainMessageScanner.agreesWith(new ObjectMapper())).isTrue();
    List<ObjectMapper> others = List.of(
        JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build(),
        JsonMapper.builder().enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS).build(),
        JsonMapper.builder().enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS).build(),
        JsonMapper.builder().enable(DeserializationFeature.USE_LONG_FOR_INTS).build(),
        JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build(),
        JsonMapper.builder().disable(JsonNodeFeature.READ_NULL_PROPERTIES).build(),
        JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build(),
        JsonMapper.builder().nodeFactory(new JsonNodeFactory() {}).build(),
        JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10).build()).build()).build(),
        JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(1000).build()).build()).build());
    for (ObjectMapper other : others) {
      assertThat(PlainMessageScanner.agreesWith(other)).isFalse();
    }
    // and its reader still reads, with Jackson, as that mapper says
    TaskMessage message = new TaskMessageReader(others.get(0), FastPathCheck.LIMITS).read("{\"task\":\"t\",\"args\":[[1.5]]}", "tasks");
    assertThat(message.args().get(0).get(0)).isInstanceOf(DecimalNode.class);
    ObjectNode kwargs = new TaskMessageReader(others.get(5), FastPathCheck.LIMITS)
        .read("{\"task\":\"t\",\"kwargs\":{\"a\":{\"b\":null}}}", "tasks").kwargs();
    assertThat(kwargs.get("a").has("b")).isFalse();
  }
}
