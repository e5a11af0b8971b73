package dev.dispatcher.service.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One reader, one set of rules: text and trees give the same message and the same errors. */
class TaskMessageReaderTest {

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final TaskMessageReader reader = new TaskMessageReader(mapper, MessageLimits.of(Duration.ofHours(1), Duration.ofHours(2)));

  private TaskMessage task(String payload) {
    return reader.read(payload, "tasks");
  }

  private ObjectNode tree(String payload) throws Exception {
    return (ObjectNode) mapper.readTree(payload);
  }

  @Test
  void textAndTreeGiveTheSameMessage() throws Exception {
    String payload = "{\"task\":\"t\",\"uuid\":\"u\",\"args\":[1,\"two\",[3]],\"kwargs\":{\"k\":{\"n\":null}},\"time_pub\":1.5,"
        + "\"timeout\":2,\"delay\":3,\"on_duplicate\":\"serial\",\"callbacks\":[{\"task\":\"c\"}],\"extra\":true}";
    TaskMessage fromText = reader.read(payload, "tasks");
    TaskMessage fromTree = reader.read(tree(payload), "tasks", "fallback");
    for (TaskMessage message : List.of(fromText, fromTree)) {
      assertThat(message.uuid()).isEqualTo("u");
      assertThat(message.task()).isEqualTo("t");
      assertThat(message.args()).isEqualTo(tree("{\"a\":[1,\"two\",[3]]}").get("a"));
      assertThat(message.kwargs()).isEqualTo(tree("{\"k\":{\"n\":null}}"));
      assertThat(message.options()).isEqualTo(new TaskMessage.Options(1.5, 2, 3, OnDuplicate.SERIAL, true, true));
      assertThat(message.raw().get("extra").asBoolean()).isTrue();
      assertThat(message.raw().get("channel").asText()).isEqualTo("tasks");
    }
    assertThat(fromText.raw()).isEqualTo(fromTree.raw());
  }

  @Test
  void textAndTreeRefuseTheSameWayWithTheSameWords() throws Exception {
    Map<String, String> cases = Map.of(
        "{\"uuid\":\"u\",\"task\":5}", "'task' must be a non-empty string, found 5",
        "{\"uuid\":\"u\",\"task\":\"t\",\"args\":{}}", "'args' must be an array, found {}",
        "{\"uuid\":\"u\",\"task\":\"t\",\"kwargs\":[1]}", "'kwargs' must be an object, found [1]",
        "{\"uuid\":\"u\",\"task\":\"t\",\"time_pub\":\"now\"}", "'time_pub' must be a number, found \"now\"",
        "{\"uuid\":\"u\",\"task\":\"t\",\"timeout\":-1}", "'timeout' must be a finite number >= 0, found -1.0",
        "{\"uuid\":\"u\",\"task\":\"t\",\"delay\":3601}", "'delay' of 3601.0 s exceeds limits.max_delay (3600.0 s)",
        "{\"uuid\":\"u\",\"task\":\"t\",\"on_duplicate\":\"sometimes\"}", "sometimes",
        "{\"uuid\":\"u\"}", "'task' must be a non-empty string, found nothing");
    for (Map.Entry<String, String> bad : cases.entrySet()) {
      for (Runnable read : List.<Runnable>of(() -> reader.read(bad.getKey(), "tasks"),
          () -> reader.read(treeOrFail(bad.getKey()), "tasks", "f"))) {
        assertThatThrownBy(read::run).as(bad.getKey())
            .isInstanceOf(BadMessageException.class)
            .hasMessageContaining(bad.getValue())
            .satisfies(e -> assertThat(((BadMessageException) e).uuid()).isEqualTo("u"));
      }
    }
  }

  private ObjectNode treeOrFail(String payload) {
    try {
      return tree(payload);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void controlMessagesAndChunksInTextAreHandedBack() {
    assertThatThrownBy(() -> reader.read("{\"control\":\"alive\"}", "tasks")).isInstanceOf(TaskMessageReader.NotATaskMessage.class);
    assertThatThrownBy(() -> reader.read("{\"__dispatcherd_chunk__\":\"v1\"}", "tasks"))
        .isInstanceOf(TaskMessageReader.NotATaskMessage.class);
  }

  @Test
  void aMessageWithoutAUuidGetsAnInternalOneFromTextAndTheFallbackFromATree() throws Exception {
    assertThat(task("{\"task\":\"t\"}").uuid()).startsWith("internal-");
    assertThat(task("{\"task\":\"t\"}").raw().get("uuid").asText()).startsWith("internal-");
    ObjectNode message = tree("{\"task\":\"t\",\"uuid\":null}");
    assertThat(reader.read(message, null, "given").uuid()).isEqualTo("given");
    assertThat(message.get("uuid").asText()).isEqualTo("given");
  }

  @Test
  void aTaskMessageCarriesAMemoryEstimateThatGrowsWithItsArguments() {
    TaskMessage small = task("{\"task\":\"t\",\"uuid\":\"u\",\"args\":[1]}");
    StringBuilder many = new StringBuilder("{\"task\":\"t\",\"uuid\":\"u\",\"args\":[");
    for (int i = 0; i < 2000; i++) {
      many.append(i == 0 ? "" : ",").append('1');
    }
    TaskMessage large = task(many.append("]}").toString());
    assertThat(small.memoryBytes()).isGreaterThan(MessageSize.TASK_OVERHEAD_BYTES);
    // 2000 one-character numbers: the nodes, not the text, are what costs
    assertThat(large.memoryBytes() - small.memoryBytes()).isGreaterThan(2000 * MessageSize.NODE_BYTES);
    TaskMessage tree = reader.read((ObjectNode) mapper.valueToTree(Map.of("task", "t", "args", List.of("abc"))), null, "u");
    assertThat(tree.memoryBytes()).isGreaterThan(MessageSize.TASK_OVERHEAD_BYTES + 4 * MessageSize.NODE_BYTES);
  }
}
