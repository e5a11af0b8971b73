package dev.dispatcher.service.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.service.message.MessageLimits;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.TaskMessageEncoder;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageDecoderTest {

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final MessageDecoder decoder =
      new MessageDecoder(mapper, new ChunkAssembler(Duration.ofSeconds(30).toNanos(), 1_000_000, metrics::chunks),
          new TaskMessageReader(mapper, MessageLimits.of(Duration.ofHours(1), Duration.ofHours(2))), metrics);

  private Decoded decode(String payload) {
    return decoder.decode("tasks", payload, 0);
  }

  private Decoded.Rejected rejected(String payload) {
    Decoded decoded = decode(payload);
    assertThat(decoded).as("decoding %s", payload).isInstanceOf(Decoded.Rejected.class);
    return (Decoded.Rejected) decoded;
  }

  private TaskMessage task(String payload) {
    Decoded decoded = decode(payload);
    assertThat(decoded).as("decoding %s", payload).isInstanceOf(Decoded.Task.class);
    return ((Decoded.Task) decoded).message();
  }

  /** A 20 kB task message with multi-byte text and escapes, as the publisher writes it. */
  private String bigMessage(String uuid) {
    String text = "é€😀 \"q\" \\ \n\u0001 ".repeat(1_000);
    return new TaskMessageEncoder(mapper).encode(new TaskMessageEncoder.Fields(
        uuid, "app.tasks.big", List.of(text), Map.of("n", 1), java.time.Instant.ofEpochSecond(1_700_000_000, 500_000_000),
        0, 0, null, false));
  }

  @Test
  void malformedJsonIsRejectedAsBadPayload() {
    for (String payload : new String[] {"{not json", "{\"task\": \"t\"", "", "lambda: os.system('x')"}) {
      Decoded.Rejected r = rejected(payload);
      assertThat(r.reason()).isEqualTo(DropReason.BAD_PAYLOAD);
      assertThat(r.uuid()).isNull();
    }
  }

  @Test
  void jsonThatIsNotAnObjectIsRejected() {
    for (String payload : new String[] {"[{\"task\":\"t\"}]", "\"app.tasks.x\"", "42", "null", "true"}) {
      Decoded.Rejected r = rejected(payload);
      assertThat(r.reason()).as(payload).isEqualTo(DropReason.BAD_PAYLOAD);
      assertThat(r.detail()).as(payload).contains("not a JSON object");
    }
  }

  /** BUG: Jackson's readTree stops after the first value, so trailing text is silently ignored. */
  @Test
  void trailingTextAfterTheObjectIsMalformed() {
    for (String payload : new String[] {"{\"task\":\"t\"} junk", "{\"task\":\"a\"}{\"task\":\"b\"}", "{\"task\":\"t\"}]"}) {
      assertThat(rejected(payload).reason()).as(payload).isEqualTo(DropReason.BAD_PAYLOAD);
    }
  }

  @Test
  void wrongKnownKeysAreRejectedNamingTheKey() {
    Object[][] cases = {
        {"{\"uuid\":\"u1\",\"args\":[]}", "'task'"},
        {"{\"uuid\":\"u1\",\"task\":5}", "'task'"},
        {"{\"uuid\":\"u1\",\"task\":\"\"}", "'task'"},
        {"{\"uuid\":\"u1\",\"task\":[\"t\"]}", "'task'"},
        {"{\"uuid\":\"u1\",\"task\":\"t\",\"args\":{\"a\":1}}", "'args'"},
        {"{\"uuid\":\"u1\",\"task\":\"t\",\"args\":\"1,2\"}", "'args'"},
        {"{\"uuid\":\"u1\",\"task\":\"t\",\"kwargs\":[1]}", "'kwargs'"},
        {"{\"uuid\":\"u1\",\"task\":\"t\",\"timeout\":-1}", "'timeout'"},
        {"{\"uuid\":\"u1\",\"task\":\"t\",\"timeout\":\"10\"}", "'timeout'"},
        {"{\"uuid\":\"u1\",\"task\":\"t\",\"delay\":-0.5}", "'delay'"},
        {"{\"uuid\":\"u1\",\"task\":\"t\",\"time_pub\":\"yesterday\"}", "'time_pub'"},
        {"{\"uuid\":\"u1\",\"task\":\"t\",\"on_duplicate\":\"sometimes\"}", "on_duplicate 'sometimes'"},
    };
    for (Object[] c : cases) {
      Decoded.Rejected r = rejected((String) c[0]);
      assertThat(r.reason()).as("%s", c[0]).isEqualTo(DropReason.BAD_PAYLOAD);
      assertThat(r.detail()).as("%s", c[0]).contains((String) c[1]);
      assertThat(r.uuid()).as("%s", c[0]).isEqualTo("u1");
    }
  }

  @Test
  void nonTextUuidIsRejected() {
    Decoded.Rejected r = rejected("{\"uuid\":7,\"task\":\"t\"}");
    assertThat(r.detail()).contains("'uuid'");
    assertThat(r.uuid()).isNull();
  }

  @Test
  void everyKnownKeyIsRead() {
    TaskMessage m = task("{\"uuid\":\"u-1\",\"args\":[1,\"a\"],\"kwargs\":{\"k\":true},\"task\":\"app.t\","
        + "\"time_pub\":1700000000.25,\"timeout\":30,\"delay\":1.5,\"on_duplicate\":\"queue_one\",\"bind\":true}");

    assertThat(m.uuid()).isEqualTo("u-1");
    assertThat(m.task()).isEqualTo("app.t");
    assertThat(m.args().toString()).isEqualTo("[1,\"a\"]");
    assertThat(m.kwargs().toString()).isEqualTo("{\"k\":true}");
    assertThat(m.timePub()).isEqualTo(1_700_000_000.25);
    assertThat(m.timeoutSeconds()).isEqualTo(30.0);
    assertThat(m.delaySeconds()).isEqualTo(1.5);
    assertThat(m.onDuplicate()).isEqualTo(OnDuplicate.QUEUE_ONE);
    assertThat(m.channel()).isEqualTo("tasks");
  }

  @Test
  void absentOptionalKeysGetDefaults() {
    TaskMessage m = task("{\"uuid\":\"u\",\"task\":\"t\",\"args\":null}");
    assertThat(m.args()).isEmpty();
    assertThat(m.kwargs()).isEmpty();
    assertThat(m.timePub()).isNaN();
    assertThat(m.timeoutSeconds()).isZero();
    assertThat(m.delaySeconds()).isZero();
    assertThat(m.onDuplicate()).isEqualTo(OnDuplicate.PARALLEL);
  }

  @Test
  void messageWithoutUuidGetsAnInternalOne() {
    TaskMessage first = task("{\"task\":\"t\"}");
    TaskMessage second = task("{\"task\":\"t\",\"uuid\":null}");

    assertThat(first.uuid()).matches("internal-\\d+");
    assertThat(second.uuid()).matches("internal-\\d+").isNotEqualTo(first.uuid());
    assertThat(first.raw().get("uuid").textValue()).isEqualTo(first.uuid());
  }

  @Test
  void channelIsAddedAndUnknownKeysAreKept() throws Exception {
    String payload = "{\"uuid\":\"u\",\"task\":\"t\",\"extra\":{\"a\":[1,2]},\"callbacks\":[{\"task\":\"c\"}],\"z\":null}";
    TaskMessage m = task(payload);

    ObjectNode expected = (ObjectNode) mapper.readTree(payload);
    expected.put("channel", "tasks");
    assertThat(m.raw()).isEqualTo(expected);
    List<String> keys = new ArrayList<>();
    m.raw().fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("uuid", "task", "extra", "callbacks", "z", "channel");
  }

  @Test
  void aDoorbellIsADoorbellOfItsChannelEvenWithATaskKey() {
    assertThat(decoder.decode("emails", "{\"doorbell\":\"durable\"}", 0)).isEqualTo(new Decoded.Doorbell("emails"));
    assertThat(decoder.decode("emails", "{\"task\":\"t\",\"doorbell\":1}", 0)).isEqualTo(new Decoded.Doorbell("emails"));
  }

  @Test
  void controlMessageIsControl() throws Exception {
    String payload = "{\"control\":\"running\",\"reply_to\":\"reply_to_abc\",\"control_data\":{\"task\":\"t\"}}";
    Decoded decoded = decoder.decode("control", payload, 0);

    assertThat(decoded).isInstanceOf(Decoded.Control.class);
    Decoded.Control control = (Decoded.Control) decoded;
    assertThat(control.channel()).isEqualTo("control");
    assertThat(control.message()).isEqualTo(mapper.readTree(payload));
  }

  @Test
  void chunkedMessageIsPartialUntilTheLastPart() throws Exception {
    String original = bigMessage("big-1");
    List<String> parts = new Chunker().split(original);
    assertThat(parts).hasSizeGreaterThanOrEqualTo(3);

    for (int i = 0; i < parts.size() - 1; i++) {
      assertThat(decoder.decode("tasks", parts.get(i), i)).isInstanceOf(Decoded.PartialChunk.class);
    }
    Decoded last = decoder.decode("tasks", parts.get(parts.size() - 1), parts.size());

    assertThat(last).isInstanceOf(Decoded.Task.class);
    TaskMessage m = ((Decoded.Task) last).message();
    ObjectNode expected = (ObjectNode) mapper.readTree(original);
    expected.put("channel", "tasks");
    assertThat(m.raw()).isEqualTo(expected);
    assertThat(m.uuid()).isEqualTo("big-1");
    assertThat(m.args().get(0).textValue()).isEqualTo(mapper.readTree(original).get("args").get(0).textValue());
    assertThat(metrics.counts().chunks(ChunkAssembler.Result.COMPLETED)).isEqualTo(1);
  }

  @Test
  void chunkedMessagesInterleavedAndShuffledBothArrive() throws Exception {
    List<String> parts = new ArrayList<>(new Chunker().split(bigMessage("big-a")));
    parts.addAll(new Chunker().split(bigMessage("big-b")));
    Collections.shuffle(parts, new Random(3));

    List<String> uuids = new ArrayList<>();
    for (String part : parts) {
      Decoded decoded = decoder.decode("tasks", part, 0);
      if (decoded instanceof Decoded.Task t) {
        uuids.add(t.message().uuid());
      } else {
        assertThat(decoded).isInstanceOf(Decoded.PartialChunk.class);
      }
    }
    assertThat(uuids).containsExactlyInAnyOrder("big-a", "big-b");
  }

  @Test
  void chunkedControlMessageIsControl() {
    String payload = "{\"control\":\"run\",\"control_data\":{\"task\":\"t\",\"args\":[\"" + "é".repeat(6_000) + "\"]}}";
    List<String> parts = new Chunker().split(payload);
    assertThat(parts).hasSizeGreaterThan(1);
    Decoded decoded = null;
    for (String part : parts) {
      decoded = decoder.decode("ctl", part, 0);
    }
    assertThat(decoded).isInstanceOf(Decoded.Control.class);
  }

  @Test
  void contradictoryChunkIsRejectedAsBadChunk() {
    String first = "{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"m\",\"index\":0,\"total\":3,\"payload\":\"{\"}";
    String second = "{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"m\",\"index\":1,\"total\":2,\"payload\":\"}\"}";
    assertThat(decode(first)).isInstanceOf(Decoded.PartialChunk.class);

    Decoded.Rejected r = rejected(second);
    assertThat(r.reason()).isEqualTo(DropReason.BAD_CHUNK);
    assertThat(r.detail()).contains("m");
  }

  @Test
  void reassembledTextThatIsNotATaskIsRejected() {
    String a = "{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"m2\",\"index\":0,\"total\":2,\"payload\":\"[1,\"}";
    String b = "{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"m2\",\"index\":1,\"total\":2,\"payload\":\"2]\"}";
    assertThat(decode(a)).isInstanceOf(Decoded.PartialChunk.class);
    assertThat(rejected(b).reason()).isEqualTo(DropReason.BAD_PAYLOAD);
  }

  @Test
  void expireChunksDropsStalePartials() {
    String part = "{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"m3\",\"index\":0,\"total\":2,\"payload\":\"{\"}";
    assertThat(decoder.decode("tasks", part, 0)).isInstanceOf(Decoded.PartialChunk.class);
    assertThat(decoder.expireChunks(Duration.ofSeconds(29).toNanos())).isZero();
    assertThat(decoder.expireChunks(Duration.ofSeconds(31).toNanos())).isEqualTo(1);
    assertThat(metrics.counts().chunks(ChunkAssembler.Result.EXPIRED)).isEqualTo(1);
  }

  @Test
  void delaysAndTimeoutsPastTheLimitsAreRefusedOnBothPaths() {
    assertThat(task("{\"task\":\"t\",\"uuid\":\"u\",\"delay\":3600,\"timeout\":7200}").delaySeconds()).isEqualTo(3600);
    for (String payload : List.of(
        "{\"task\":\"t\",\"uuid\":\"u1\",\"delay\":3600.5}",
        "{\"task\":\"t\",\"uuid\":\"u1\",\"delay\":1e308}",
        "{\"task\":\"t\",\"uuid\":\"u1\",\"timeout\":7201}",
        // the tree path (an unknown-typed key sends it there) applies the same limits
        "{\"task\":\"t\",\"uuid\":\"u1\",\"delay\":1e308,\"channel\":\"x\"}")) {
      Decoded.Rejected r = rejected(payload);
      assertThat(r.reason()).isEqualTo(DropReason.BAD_PAYLOAD);
      assertThat(r.detail()).contains("exceeds limits.max_");
      assertThat(r.uuid()).isEqualTo("u1");
    }
  }

  @Test
  void aChunkClaimingAHugeTotalIsRejectedNotAllocated() {
    Decoded.Rejected r = rejected("{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"m1\",\"index\":0,\"total\":2147483647,\"payload\":\"x\"}");
    assertThat(r.reason()).isEqualTo(DropReason.BAD_CHUNK);
    assertThat(r.detail()).contains("exceeds");
  }

  @Test
  void aReassembledMessageThatIsItselfAChunkIsRejected() {
    String inner = "{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"inner\",\"index\":0,\"total\":2,\"payload\":\"" + "y".repeat(9000) + "\"}";
    List<String> outer = new Chunker().split(inner);
    assertThat(outer).hasSizeGreaterThan(1);
    Decoded last = null;
    for (String part : outer) {
      last = decode(part);
    }
    assertThat(last).isInstanceOf(Decoded.Rejected.class);
    assertThat(((Decoded.Rejected) last).detail()).contains("nested chunks");
    assertThat(metrics.counts().chunks(ChunkAssembler.Result.COMPLETED)).isEqualTo(1);
  }
}
