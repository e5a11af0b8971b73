package dev.dispatcher.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The task objects {@code enqueue_many} takes, as the publisher writes them. */
class DurableTaskEncoderTest {

  public record Point(int x, String label) {}

  /** Private fields, no getters: Jackson finds no property and would write {}. */
  static final class Opaque {
    private final String secret = "lost";

    @Override
    public String toString() {
      return secret;
    }
  }

  private static final Instant T = Instant.ofEpochSecond(1_700_000_000, 500_000_000);

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final DurableTaskEncoder encoder = new DurableTaskEncoder(mapper);

  private static DurableTaskEncoder.Fields fields(
      List<?> args, Map<String, ?> kwargs, double delay, double timeout, boolean bind) {
    return new DurableTaskEncoder.Fields("app.tasks.send", "emails", "u-1", args, kwargs, delay, timeout, "discard", 5, 3,
        0.5, 60, T, bind);
  }

  private static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void everyFieldIsWrittenInTheFunctionsKeyOrder() {
    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put("subject", "hi");
    kwargs.put("point", new Point(1, "p"));

    String text = encoder.encode(fields(List.of(1, "two"), kwargs, 2.5, 30, true));

    assertThat(text).isEqualTo("{\"task\":\"app.tasks.send\",\"channel\":\"emails\",\"uuid\":\"u-1\",\"args\":[1,\"two\"],"
        + "\"kwargs\":{\"subject\":\"hi\",\"point\":{\"x\":1,\"label\":\"p\"}},\"delay\":2.5,\"timeout\":30.0,"
        + "\"on_duplicate\":\"discard\",\"priority\":5,\"max_attempts\":3,\"backoff\":0.5,\"max_backoff\":60.0,"
        + "\"time_pub\":1700000000.500000,\"bind\":true}");
  }

  @Test
  void emptyArgumentsAreStillWrittenAndZeroDelayAndTimeoutAndBindAreLeftOut() throws Exception {
    String text = encoder.encode(fields(List.of(), Map.of(), 0, 0, false));

    JsonNode node = mapper.readTree(text);
    assertThat(keys(node)).containsExactly("task", "channel", "uuid", "args", "kwargs", "on_duplicate", "priority",
        "max_attempts", "backoff", "max_backoff", "time_pub");
    assertThat(node.get("args").toString()).isEqualTo("[]");
    assertThat(node.get("kwargs").toString()).isEqualTo("{}");
    assertThat(mapper.readTree(encoder.encode(fields(null, null, 0, 0, false))))
        .as("null arguments are none").isEqualTo(node);
  }

  @Test
  void namesAndChannelsAreEscaped() throws Exception {
    String text = encoder.encode(new DurableTaskEncoder.Fields("t\"1\\", "ch\n", "u", List.of("\u0001"), Map.of(), 0, 0,
        "parallel", 0, 10, 2, 3600, T, false));

    JsonNode node = mapper.readTree(text);
    assertThat(node.get("task").textValue()).isEqualTo("t\"1\\");
    assertThat(node.get("channel").textValue()).isEqualTo("ch\n");
    assertThat(node.get("args").get(0).textValue()).isEqualTo("\u0001");
  }

  @Test
  void tinyAndLargeNumbersAreValidJson() throws Exception {
    JsonNode node = mapper.readTree(encoder.encode(new DurableTaskEncoder.Fields("t", "c", "u", List.of(), Map.of(), 1e7,
        0.0001, "parallel", Integer.MIN_VALUE, 1, 0, 2_592_000, T, false)));

    assertThat(node.get("delay").doubleValue()).isEqualTo(1e7);
    assertThat(node.get("timeout").doubleValue()).isEqualTo(0.0001);
    assertThat(node.get("priority").intValue()).isEqualTo(Integer.MIN_VALUE);
    assertThat(node.get("backoff").doubleValue()).isZero();
    assertThat(node.get("max_backoff").doubleValue()).isEqualTo(2_592_000);
  }

  @Test
  void anArgumentThatWouldArriveAsAnEmptyObjectIsRefusedAsInATaskMessage() {
    assertThatThrownBy(() -> encoder.encode(fields(List.of("fine", new Opaque()), Map.of(), 0, 0, false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("task argument args[1] (" + Opaque.class.getName() + ") would be sent as {}");
    assertThatThrownBy(() -> encoder.encode(fields(List.of(), Map.of("o", new Opaque()), 0, 0, false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("task argument kwargs.o (" + Opaque.class.getName() + ") would be sent as {}");
  }
}
