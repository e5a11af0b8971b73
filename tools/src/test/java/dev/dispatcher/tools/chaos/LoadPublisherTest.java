package dev.dispatcher.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadPublisherTest {

  @Test
  void aBatchIsAJsonArrayOfChaosTaskRowsWithTheGivenUuids() throws Exception {
    List<String> uuids = List.of("4b0e0a4e-8f5a-4c6e-9a57-2f1f3c1d9e01", "0c2f3b8a-1d2e-4f5a-8b9c-0d1e2f3a4b5c");
    JsonNode batch = new ObjectMapper().readTree(LoadPublisher.json(uuids, 20));
    assertThat(batch.isArray()).isTrue();
    assertThat(batch).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode row = batch.get(i);
      assertThat(row.get("uuid").asText()).isEqualTo(uuids.get(i));
      assertThat(row.get("task").asText()).isEqualTo(ChaosTasks.NAME);
      assertThat(row.get("args").toString()).isEqualTo("[20]");
      assertThat(row.get("channel").asText()).isEqualTo(ChaosSchema.CHANNEL);
      assertThat(row.get("max_attempts").asInt()).isEqualTo(LoadPublisher.MAX_ATTEMPTS);
      assertThat(row.get("backoff").asDouble()).isEqualTo(LoadPublisher.BACKOFF_SECONDS);
      assertThat(row.get("max_backoff").asDouble()).isEqualTo(LoadPublisher.MAX_BACKOFF_SECONDS);
    }
    assertThat(new ObjectMapper().readTree(LoadPublisher.json(List.of(), 0))).isEmpty();
  }

  @Test
  void theTaskNameIsTheRegisteredOne() throws Exception {
    dev.dispatcher.Task task = ChaosTasks.class.getMethod("record", dev.dispatcher.TaskContext.class, long.class).getAnnotation(dev.dispatcher.Task.class);
    assertThat(task.name()).isEqualTo(ChaosTasks.NAME);
    assertThat(task.bind()).isTrue();
    assertThat(task.durable()).isTrue();
  }
}
