package dev.dispatcher.service.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.Notification;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventPayloadsTest {

  private static final Instant AT = Instant.parse("2026-12-03T10:15:30.123Z");
  private final ObjectMapper mapper = new ObjectMapper();
  private final EventPayloads payloads = new EventPayloads(mapper);

  @Test
  void anEventHasTheDocumentedFields() throws Exception {
    JsonNode retrying = mapper.readTree(payloads.json(new StatusEvent("u-1", "app.send", EventKind.RETRYING, true, 2, "node-a", AT, "boom",
        AT.plusSeconds(4))));
    JsonNode started = mapper.readTree(payloads.json(StatusEvent.of("u-2", "app.send", EventKind.STARTED, false, 0, "node-a", AT)));

    assertThat(retrying.toString()).isEqualTo("{\"uuid\":\"u-1\",\"task\":\"app.send\",\"event\":\"retrying\",\"durable\":true,\"attempt\":2,"
        + "\"node\":\"node-a\",\"at\":\"2026-12-03T10:15:30.123Z\",\"error\":\"boom\",\"run_at\":\"2026-12-03T10:15:34.123Z\"}");
    assertThat(started.has("attempt")).as("fire-and-forget runs have no attempt").isFalse();
    assertThat(started.has("error")).isFalse();
  }

  @Test
  void manyEventsAreSplitIntoPayloadsUnderTheLimitInTheirOrder() throws Exception {
    List<StatusEvent> events = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      events.add(new StatusEvent("uuid-" + i, "app.task", EventKind.FAILED, false, 0, "node-a", AT, "x".repeat(300), null));
    }

    List<Notification> notifications = payloads.pack(events, event -> List.of("events"));

    assertThat(notifications.size()).isGreaterThan(1);
    List<String> uuids = new ArrayList<>();
    for (Notification notification : notifications) {
      assertThat(notification.channel()).isEqualTo("events");
      assertThat(notification.payload().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(EventPayloads.MAX_PAYLOAD_BYTES);
      mapper.readTree(notification.payload()).forEach(event -> uuids.add(event.get("uuid").asText()));
    }
    assertThat(uuids).hasSize(500).startsWith("uuid-0", "uuid-1").endsWith("uuid-499");
    assertThat(uuids).as("in order").containsExactlyElementsOf(events.stream().map(StatusEvent::uuid).toList());
  }

  @Test
  void hugeFieldsAreCutSoOneEventAlwaysFitsEvenInMultiByteCharacters() throws Exception {
    StatusEvent huge = new StatusEvent("u", "t".repeat(100_000), EventKind.DEAD, true, 1, "n", AT, "\u00e9\ud83d\ude00".repeat(50_000), null);

    List<Notification> notifications = payloads.pack(List.of(huge), event -> List.of("events"));

    assertThat(notifications).singleElement().satisfies(n -> assertThat(n.payload().getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(EventPayloads.MAX_PAYLOAD_BYTES));
    JsonNode event = mapper.readTree(notifications.get(0).payload()).get(0);
    assertThat(event.get("task").asText()).hasSize(EventPayloads.MAX_TASK_CHARS);
    assertThat(event.get("error").asText().length()).isLessThanOrEqualTo(EventPayloads.MAX_ERROR_CHARS);
  }

  @Test
  void anEventGoesToEachOfItsChannels() {
    StatusEvent event = StatusEvent.of("u", "app.a", EventKind.SUCCEEDED, true, 1, "n", AT);

    List<Notification> notifications = payloads.pack(List.of(event), e -> List.of("all", "app_a"));

    assertThat(notifications).extracting(Notification::channel).containsExactly("all", "app_a");
    assertThat(notifications.get(0).payload()).isEqualTo(notifications.get(1).payload());
  }
}
