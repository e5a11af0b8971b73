package dev.dispatcher.service.producers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.OnDuplicate;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalMessagesTest {

  private final LocalMessages messages = new LocalMessages(WireFormat.newObjectMapper());

  @Test
  void aSubmissionsOptionsTravelInTheMessage() {
    DispatcherConfig.Submission submission = new DispatcherConfig.Submission("schedules.x.task", "app.rebuild", List.of(1, "two"),
        Map.of("flag", true), Duration.ofMillis(2500), OnDuplicate.QUEUE_ONE);

    TaskMessage message = messages.create(submission, "schedule:x", Instant.ofEpochSecond(1_700_000_000), Map.of("schedule_tick", "t"));

    assertThat(message.task()).isEqualTo("app.rebuild");
    assertThat(message.args().toString()).isEqualTo("[1,\"two\"]");
    assertThat(message.kwargs().get("flag").booleanValue()).isTrue();
    assertThat(message.timeoutSeconds()).isEqualTo(2.5);
    assertThat(message.onDuplicate()).isEqualTo(OnDuplicate.QUEUE_ONE);
    assertThat(message.onDuplicateGiven()).isTrue();
    assertThat(message.timePub()).isEqualTo(1_700_000_000.0);
    assertThat(message.raw().get("origin").textValue()).isEqualTo("schedule:x");
    assertThat(message.raw().get("schedule_tick").textValue()).isEqualTo("t");
    assertThat(message.channel()).isNull();
  }

  @Test
  void withoutOptionsTheTasksDefaultsApply() {
    TaskMessage message = messages.create(new DispatcherConfig.Submission("on_start[0].task", "app.warm", List.of(), Map.of()), "on_start");

    assertThat(message.timeoutSeconds()).isZero();
    assertThat(message.onDuplicateGiven()).isFalse();
    assertThat(message.raw().has("timeout")).isFalse();
    assertThat(message.raw().has("on_duplicate")).isFalse();
  }

  @Test
  void everyMessageGetsItsOwnUuid() {
    DispatcherConfig.Submission submission = new DispatcherConfig.Submission("k", "t", List.of(), Map.of());
    assertThat(messages.create(submission, "o").uuid()).isNotEqualTo(messages.create(submission, "o").uuid());
  }
}
