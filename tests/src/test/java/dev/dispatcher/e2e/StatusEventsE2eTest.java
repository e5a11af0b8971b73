package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import dev.dispatcher.wire.ChannelNames;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Status events in the real daemon, received by a plain LISTEN client (pgjdbc, no dispatcher code):
 * every transition of durable and fire-and-forget tasks, in order per task, with the documented
 * fields; a task with a channel of its own gets its events there too, and only its events.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusEventsE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String channel = Daemon.channel("events");
  private final String eventsChannel = channel + "_all";
  private final String noopChannel = channel + "_noop";
  private DurableTable table;
  private DaemonProcess daemon;
  private Publisher publisher;
  private Connection listener;
  private final List<JsonNode> all = new ArrayList<>();
  private final List<JsonNode> noopOnly = new ArrayList<>();

  @BeforeAll
  void startDaemon(TestDatabase database, @TempDir Path directory) throws Exception {
    table = new DurableTable(database);
    listener = database.connect();
    try (Statement listen = listener.createStatement()) {
      listen.execute("LISTEN " + ChannelNames.quoteIdentifier(eventsChannel));
      listen.execute("LISTEN " + ChannelNames.quoteIdentifier(noopChannel));
    }
    daemon = Daemon.start(database, Daemon.config(List.of(channel), 4, DurableTable.FAST
        + "events:\n  enabled: true\n  channel: " + eventsChannel + "\n  tasks:\n    " + DurableTestTasks.NOOP + ": " + noopChannel + "\n"),
        directory);
    publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build();
  }

  @AfterAll
  void stop() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (daemon != null) {
      assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
    }
    if (listener != null) {
      listener.close();
    }
  }

  @Test
  void aDurableTaskThatFailsOnceIsStartedRetryingStartedSucceeded() throws Exception {
    String uuid = table.enqueue(DurableTestTasks.FAIL_TIMES, channel, List.of(1), Map.of("backoff", 0.1));

    List<JsonNode> events = awaitEvents(uuid, 4);

    assertThat(events).extracting(event -> event.get("event").asText()).containsExactly("started", "retrying", "started", "succeeded");
    assertThat(events).extracting(event -> event.get("attempt").asInt()).containsExactly(1, 1, 2, 2);
    assertThat(events).allSatisfy(event -> {
      assertThat(event.get("task").asText()).isEqualTo(DurableTestTasks.FAIL_TIMES);
      assertThat(event.get("durable").asBoolean()).isTrue();
      assertThat(event.get("node").asText()).isEqualTo("e2e-" + channel);
      assertThat(event.get("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    });
    assertThat(events.get(1).get("error").asText()).contains("fails on purpose");
    assertThat(events.get(1).has("run_at")).isTrue();
  }

  @Test
  void aDurableTaskOutOfAttemptsEndsDead() throws Exception {
    String uuid = table.enqueue(DurableTestTasks.ALWAYS_FAIL, channel, List.of(), Map.of("max_attempts", 2, "backoff", 0.1));

    assertThat(awaitEvents(uuid, 4)).extracting(event -> event.get("event").asText()).containsExactly("started", "retrying", "started", "dead");
  }

  @Test
  void aFireAndForgetTaskIsStartedSucceededWithoutAttempt() throws Exception {
    String uuid = publisher.task(DemoTasks::hello).delay();

    List<JsonNode> events = awaitEvents(uuid, 2);

    assertThat(events).extracting(event -> event.get("event").asText()).containsExactly("started", "succeeded");
    assertThat(events).allSatisfy(event -> {
      assertThat(event.get("durable").asBoolean()).isFalse();
      assertThat(event.has("attempt")).isFalse();
    });
  }

  @Test
  void aTaskWithAChannelOfItsOwnGetsItsEventsThereToo() throws Exception {
    String first = table.enqueue(DurableTestTasks.NOOP, channel, List.of(), Map.of());
    String second = table.enqueue(DurableTestTasks.NOOP, channel, List.of(), Map.of());

    awaitEvents(first, 2);
    awaitEvents(second, 2);

    synchronized (this) {
      assertThat(noopOnly).extracting(event -> event.get("task").asText()).containsOnly(DurableTestTasks.NOOP);
      assertThat(noopOnly.stream().filter(event -> event.get("uuid").asText().equals(first)))
          .extracting(event -> event.get("event").asText()).containsExactly("started", "succeeded");
    }
  }

  /** Waits until {@code count} events of the task arrived on the all-events channel; returns them in arrival order. */
  private List<JsonNode> awaitEvents(String uuid, int count) {
    return await().atMost(WAIT).until(() -> {
      receive();
      return ofTask(uuid);
    }, events -> events.size() >= count);
  }

  private synchronized List<JsonNode> ofTask(String uuid) {
    return all.stream().filter(event -> event.get("uuid").asText().equals(uuid)).toList();
  }

  private synchronized void receive() throws SQLException, java.io.IOException {
    PGNotification[] arrived = listener.unwrap(PGConnection.class).getNotifications(200);
    if (arrived == null) {
      return;
    }
    for (PGNotification notification : arrived) {
      JsonNode payload = MAPPER.readTree(notification.getParameter());
      assertThat(payload.isArray()).as("payload %s", notification.getParameter()).isTrue();
      assertThat(notification.getParameter().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(8000);
      payload.forEach(event -> (notification.getName().equals(eventsChannel) ? all : noopOnly).add(event));
    }
  }
}
