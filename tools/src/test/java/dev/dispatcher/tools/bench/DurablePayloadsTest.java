package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurablePayloadsTest {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void eachRowIsATaskObjectOfTheFunctionWithItsOwnArgument() throws Exception {
    List<String> rows = DurablePayloads.rows(3, "bench_dispatcher");
    assertThat(rows).hasSize(3);
    JsonNode second = mapper.readTree(rows.get(1));
    assertThat(second.get("task").asText()).isEqualTo("dev.dispatcher.tools.bench.BenchTasks.noop");
    assertThat(second.get("channel").asText()).isEqualTo("bench_dispatcher");
    assertThat(second.get("args").size()).isEqualTo(1);
    assertThat(second.get("args").get(0).asLong()).isEqualTo(1);
  }

  @Test
  void batchesKeepTheOrderAndTheLastOneTakesTheRest() {
    List<String> rows = DurablePayloads.rows(2_500, "c");
    List<List<String>> batches = DurablePayloads.batches(rows, 1_000);
    assertThat(batches).extracting(List::size).containsExactly(1_000, 1_000, 500);
    assertThat(batches.get(2).get(0)).isEqualTo(rows.get(2_000));
  }

  @Test
  void eachArrayIsOneJsonArrayOfItsBatch() throws Exception {
    List<String> arrays = DurablePayloads.arrays(DurablePayloads.rows(5, "c"), 2);
    assertThat(arrays).hasSize(3);
    JsonNode first = mapper.readTree(arrays.get(0));
    assertThat(first.isArray()).isTrue();
    assertThat(first.size()).isEqualTo(2);
    assertThat(mapper.readTree(arrays.get(2)).get(0).get("args").get(0).asLong()).isEqualTo(4);
  }

  @Test
  void aChannelThatWouldNeedEscapingIsRefused() {
    assertThatThrownBy(() -> DurablePayloads.rows(1, "a\"b")).isInstanceOf(IllegalArgumentException.class);
  }
}
