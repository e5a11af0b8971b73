package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** --log-format json: one JSON object per line; a task's lines carry its uuid and task as fields. */
@ExtendWith(PostgresExtension.class)
class JsonLogE2eTest {

  @Test
  void everyLineIsAJsonObjectAndTaskLinesCarryUuidAndTask(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("json");
    Journal journal = new Journal(database);
    ObjectMapper mapper = new ObjectMapper();
    String uuid;
    List<String> lines;
    try (DaemonProcess daemon = Daemon.launch(database, Daemon.config(List.of(channel), 2, ""), directory, List.of("--log-format", "json"))
            .awaitReady(Duration.ofSeconds(60));
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
      uuid = publisher.task(DemoTasks::sum2).delay(20L, 22L);
      await().atMost(Duration.ofSeconds(30)).until(() -> journal.runs(uuid) == 1);
      assertThat(daemon.stop(Duration.ofSeconds(30))).isZero();
      lines = daemon.output().lines().toList();
    }
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      events.add(mapper.readTree(line)); // throws if a line is not JSON
    }
    assertThat(events).allSatisfy(event -> assertThat(event.isObject()).isTrue());
    JsonNode done = events.stream().filter(event -> event.path("formattedMessage").asText().contains(" succeeded in ")
        && uuid.equals(event.path("mdc").path("uuid").asText())).findFirst().orElseThrow();
    assertThat(done.path("mdc").path("task").asText()).isEqualTo("dev.dispatcher.demo.DemoTasks.sum2");
    assertThat(done.path("level").asText()).isEqualTo("INFO");
    assertThat(done.path("formattedMessage").asText()).endsWith("-> 42");
  }
}
