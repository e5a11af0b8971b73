package dev.dispatcher.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.Notification;
import dev.dispatcher.wire.WireFormat;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** What the client builds and parses, without a database. */
class ControlClientTest {

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  /** Any DataSource: these tests never connect. */
  private final ControlClient client = ControlClient.of(new UnusedDataSource());

  @Test
  void theControlMessageCarriesCommandReplyChannelAndData() throws Exception {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("task", "app.tasks.send_email");
    data.put("uuid", "1234");
    String text = client.controlMessage("running", "reply_to_abc", data);

    assertThat(text).isEqualTo(
        "{\"control\":\"running\",\"reply_to\":\"reply_to_abc\",\"control_data\":{\"task\":\"app.tasks.send_email\",\"uuid\":\"1234\"}}");
  }

  @Test
  void withoutReplyChannelThereIsNoReplyToAndNullDataIsAnEmptyObject() throws Exception {
    JsonNode message = mapper.readTree(client.controlMessage("alive", null, null));

    assertThat(message.has("reply_to")).isFalse();
    assertThat(message.get("control").asText()).isEqualTo("alive");
    assertThat(message.get("control_data").isObject()).isTrue();
    assertThat(message.get("control_data").size()).isZero();
  }

  @Test
  void nestedControlDataForRunIsWrittenAsJson() throws Exception {
    JsonNode message = mapper.readTree(client.controlMessage("run", "reply_to_x",
        Map.of("task", "dev.dispatcher.demo.DemoTasks.sum2", "args", List.of(1, 2), "kwargs", Map.of("k", "v"))));

    JsonNode data = message.get("control_data");
    assertThat(data.get("args").toString()).isEqualTo("[1,2]");
    assertThat(data.get("kwargs").toString()).isEqualTo("{\"k\":\"v\"}");
  }

  @Test
  void aClientWithASecretSignsEveryMessageForItsChannelAndOneWithoutDoesNot() throws Exception {
    String secret = "k".repeat(32);
    ControlClient signing = client.withSecret(secret)
        .withClock(java.time.Clock.fixed(java.time.Instant.ofEpochSecond(1_700_000_000L), java.time.ZoneOffset.UTC));

    JsonNode first = mapper.readTree(signing.controlMessage("tasks", "cancel", "reply_to_abc", Map.of("uuid", "u1")));
    JsonNode second = mapper.readTree(signing.controlMessage("tasks", "alive", null, null));

    String signedText = first.get("signature").get("signed").textValue();
    assertThat(new ControlSignature(secret).matches(signedText, first.get("signature").get("hmac_sha256").textValue())).isTrue();
    JsonNode fields = mapper.readTree(signedText);
    assertThat(fields.get("channel").textValue()).isEqualTo("tasks");
    assertThat(fields.get("control_data")).isEqualTo(first.get("control_data"));
    assertThat(fields.get("ts").longValue()).isEqualTo(1_700_000_000L);
    String secondNonce = mapper.readTree(second.get("signature").get("signed").textValue()).get("nonce").textValue();
    assertThat(fields.get("nonce").textValue()).matches("[0-9a-f]{32}").isNotEqualTo(secondNonce);
    assertThat(mapper.readTree(client.controlMessage("tasks", "cancel", "reply_to_abc", Map.of("uuid", "u1"))).has("signature")).isFalse();
    assertThatThrownBy(() -> client.withSecret("short")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void replyChannelsAreFreshAndShortEnoughForPostgres() {
    String first = ControlClient.newReplyChannel();
    String second = ControlClient.newReplyChannel();

    assertThat(first).matches("reply_to_[0-9a-f]{32}").hasSizeLessThanOrEqualTo(63);
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void badArgumentsAreRejectedBeforeAnyConnection() {
    assertThatThrownBy(() -> client.send("", "alive", Map.of(), 1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel name");
    assertThatThrownBy(() -> client.send("x".repeat(64), "alive", Map.of(), 1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 bytes");
    assertThatThrownBy(() -> client.send("tasks", " ", Map.of(), 1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("command");
    assertThatThrownBy(() -> client.send("tasks", "alive", Map.of(), 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expectedReplies");
    assertThatThrownBy(() -> client.send("tasks", "alive", Map.of(), 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    assertThatThrownBy(() -> client.sendNoReply("bad\0channel", "alive", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
  }

  @Test
  void aLargeControlMessageIsChunkedAndReassemblesExactly() throws Exception {
    String text = client.controlMessage("run", "reply_to_x", Map.of("task", "t", "args", List.of("é".repeat(9000))));
    List<Notification> notifications = client.notifications("tasks", text);

    assertThat(notifications).hasSizeGreaterThan(1);
    ChunkAssembler assembler = new ChunkAssembler(TimeUnit.SECONDS.toNanos(10), 1 << 20);
    Optional<String> whole = Optional.empty();
    for (Notification notification : notifications) {
      assertThat(notification.channel()).isEqualTo("tasks");
      assertThat(notification.payload().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(8000);
      whole = assembler.accept(mapper.readTree(notification.payload()), 0);
    }
    assertThat(whole).contains(text);
  }

  @Test
  void aPlainReplyBecomesAControlReplyWithItsNodeId() {
    ChunkAssembler chunks = new ChunkAssembler(TimeUnit.SECONDS.toNanos(10), 1 << 20);

    ControlReply reply = client.accept("{\"node_id\": \"node-a\", \"worker-0\": {\"task\": \"t\"}}", chunks, 0).orElseThrow();

    assertThat(reply.nodeId()).isEqualTo("node-a");
    assertThat(reply.body()).containsOnlyKeys("node_id", "worker-0");
    assertThat(reply.body().get("worker-0")).isEqualTo(Map.of("task", "t"));
    assertThat(reply.isError()).isFalse();
    assertThat(reply.errorMessage()).isNull();
  }

  @Test
  void anErrorReplyIsMarkedAsError() {
    ChunkAssembler chunks = new ChunkAssembler(TimeUnit.SECONDS.toNanos(10), 1 << 20);

    ControlReply reply = client.accept("{\"error\": \"No control method nope\", \"node_id\": \"n\"}", chunks, 0).orElseThrow();

    assertThat(reply.isError()).isTrue();
    assertThat(reply.errorMessage()).isEqualTo("No control method nope");
  }

  @Test
  void aChunkedReplyIsReturnedOnlyWhenItsLastPartArrivesInAnyOrder() throws Exception {
    Map<String, Object> big = new LinkedHashMap<>();
    big.put("node_id", "node-b");
    for (int i = 0; i < 40; i++) {
      big.put("delayed-" + i, Map.of("task", "t", "args", List.of("x".repeat(300))));
    }
    String text = mapper.writeValueAsString(big);
    List<String> parts = new ArrayList<>(new Chunker().split(text));
    assertThat(parts).hasSizeGreaterThan(1);
    java.util.Collections.reverse(parts);
    ChunkAssembler chunks = new ChunkAssembler(TimeUnit.SECONDS.toNanos(10), 1 << 20);

    List<ControlReply> replies = new ArrayList<>();
    for (String part : parts) {
      client.accept(part, chunks, 0).ifPresent(replies::add);
    }

    assertThat(replies).singleElement().satisfies(reply -> {
      assertThat(reply.nodeId()).isEqualTo("node-b");
      assertThat(reply.body()).isEqualTo(big);
    });
  }

  @Test
  void malformedRepliesAreSkipped() {
    ChunkAssembler chunks = new ChunkAssembler(TimeUnit.SECONDS.toNanos(10), 1 << 20);

    assertThat(client.accept("not json", chunks, 0)).isEmpty();
    assertThat(client.accept("[1, 2]", chunks, 0)).isEmpty();
    assertThat(client.accept("{\"__dispatcherd_chunk__\": \"v9\"}", chunks, 0)).isEmpty();
  }

  @Test
  void aReplyWithoutNodeIdHasANullNodeIdAndTheBodyIsReadOnly() {
    ChunkAssembler chunks = new ChunkAssembler(TimeUnit.SECONDS.toNanos(10), 1 << 20);

    ControlReply reply = client.accept("{\"ok\": true}", chunks, 0).orElseThrow();

    assertThat(reply.nodeId()).isNull();
    assertThatThrownBy(() -> reply.body().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  /** A DataSource that fails if anything tries to connect. */
  private static final class UnusedDataSource implements DataSource {
    @Override
    public Connection getConnection() {
      throw new AssertionError("no connection expected");
    }

    @Override
    public Connection getConnection(String username, String password) {
      throw new AssertionError("no connection expected");
    }

    @Override
    public java.io.PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public java.util.logging.Logger getParentLogger() {
      return java.util.logging.Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
