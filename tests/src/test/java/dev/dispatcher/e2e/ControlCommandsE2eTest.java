package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The daemon side of the control plane: cancel through the command, answers while saturated, the status shape. */
@ExtendWith(PostgresExtension.class)
class ControlCommandsE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void cancelReachesRunningQueuedAndDelayedTasksAndCommandsAnswerWhileThePoolIsSaturated(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("control");
    Journal journal = new Journal(database);
    try (DaemonProcess daemon = Daemon.launch(database, Daemon.config(List.of(channel), 1, Daemon.ACTING_COMMANDS_ALLOWED), directory,
            List.of("--log-level", "DEBUG")).awaitReady(Duration.ofSeconds(60));
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build();
        ControlClient client = ControlClient.fromUrl(database.url())) {
      String running = publisher.task(DemoTasks::sleep).delay(60.0);
      assertThat(daemon.awaitLine(line -> line.contains("task " + running) && line.contains("started"), WAIT)).isTrue();
      for (int i = 0; i < 20; i++) {
        publisher.task(DemoTasks::sum2).delay((long) i, 0L); // one worker, busy: these queue
      }
      String queued = publisher.task(DemoTasks::hello).delay();
      String delayed = publisher.task(DemoTasks::hello).withOptions(SubmitOptions.builder().delay(Duration.ofMinutes(5)).build()).delay();
      await().atMost(WAIT).until(() -> daemon.output().contains("task " + delayed) && daemon.output().contains("delayed"));

      long asked = System.nanoTime();
      List<ControlReply> alive = client.send(channel, "alive", Map.of(), 1, Duration.ofSeconds(5));
      assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("an answer while the pool is saturated").isLessThan(Duration.ofSeconds(1));
      assertThat(alive).singleElement().extracting(ControlReply::nodeId).isEqualTo("e2e-" + channel);

      Map<String, Object> status = client.send(channel, "status", Map.of(), 1, Duration.ofSeconds(5)).get(0).body();
      assertThat(status).containsOnlyKeys("running", "aio_tasks", "workers", "producers", "main", "chunks", "metrics", "durable", "suspended",
          "node_id");
      @SuppressWarnings("unchecked")
      Map<String, Object> main = (Map<String, Object>) status.get("main");
      assertThat(main).containsEntry("running", 1).containsEntry("queued", 21).containsEntry("delayed", 1);

      assertThat(cancel(client, channel, queued)).containsOnlyKeys("queued-0", "node_id");
      assertThat(cancel(client, channel, delayed)).containsOnlyKeys("delayed-0", "node_id");
      assertThat(cancel(client, channel, running)).containsOnlyKeys("worker-0", "node_id");

      await().atMost(WAIT).until(() -> journal.runs(running) == 1);
      assertThat(journal.statuses(running)).containsExactly("cancelled");
      String marker = publisher.task(DemoTasks::hello).delay(); // runs after everything queued before it
      await().atMost(WAIT).until(() -> journal.runs(marker) == 1);
      assertThat(journal.runs(queued)).isZero();
      assertThat(journal.runs(delayed)).isZero();
      assertThat(daemon.linesContaining("cancelled task " + queued)).singleElement().asString().contains("(queued)");
    }
  }

  private static Map<String, Object> cancel(ControlClient client, String channel, String uuid) {
    List<ControlReply> replies = client.send(channel, "cancel", Map.of("uuid", uuid), 1, Duration.ofSeconds(5));
    assertThat(replies).hasSize(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> entry = (Map<String, Object>) replies.get(0).body().values().stream()
        .filter(Map.class::isInstance).findFirst().orElseThrow();
    assertThat(entry).containsEntry("uuid", uuid);
    return replies.get(0).body();
  }
}
