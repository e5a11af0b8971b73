package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code @Task(maxConcurrency = 2)} on durable rows holds for the cluster: two daemons with four
 * slots each never hold more than two of the task's rows at once (the table is sampled while they
 * work), and every row still runs, once.
 */
@ExtendWith(PostgresExtension.class)
class DurableConcurrencyE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int TASKS = 24;

  @Test
  void twoDaemonsNeverRunMoreThanTheTasksLimitAtOnceAndRunEveryRow(TestDatabase database, @TempDir Path directory) throws Exception {
    DurableTable table = new DurableTable(database);
    String channel = Daemon.channel("durable_limit");
    List<DaemonProcess> daemons = new ArrayList<>();
    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicInteger mostRunning = new AtomicInteger();
    AtomicInteger samples = new AtomicInteger();
    AtomicReference<Exception> samplerFailure = new AtomicReference<>();
    Thread sampler = Thread.ofPlatform().name("running-sampler").start(() -> {
      try (Connection connection = database.connect(); PreparedStatement running = connection.prepareStatement(
          "SELECT count(*) FROM dispatcher.tasks WHERE channel = ? AND task = ? AND state = 'running'")) {
        running.setString(1, channel);
        running.setString(2, DurableTestTasks.LIMITED);
        while (sampling.get()) {
          try (ResultSet row = running.executeQuery()) {
            row.next();
            mostRunning.accumulateAndGet(row.getInt(1), Math::max);
            samples.incrementAndGet();
          }
        }
      } catch (Exception e) {
        samplerFailure.set(e);
      }
    });
    try {
      for (String node : List.of("e2e-" + channel + "-a", "e2e-" + channel + "-b")) {
        daemons.add(Daemon.launch(database, Daemon.config(node, List.of(channel), 4, DurableTable.FAST),
            Files.createDirectories(directory.resolve(node)), List.of()));
      }
      for (DaemonProcess daemon : daemons) {
        daemon.awaitReady(WAIT);
      }

      List<String> uuids = table.enqueueMany(DurableTestTasks.LIMITED, channel, TASKS, List.of(0.25), Map.of());

      await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> table.count(channel, "completed") == TASKS);
      sampling.set(false);
      sampler.join(10_000);
      assertThat(samplerFailure.get()).isNull();
      assertThat(samples.get()).as("samples taken").isGreaterThan(10);
      assertThat(mostRunning.get()).as("rows of the task running at once, on both daemons together").isEqualTo(2);
      assertThat(table.states(channel)).containsExactly(entry("completed", TASKS));
      assertThat(table.runCounts(channel)).as("each row ran once").hasSize(TASKS).containsOnlyKeys(uuids).allSatisfy((uuid, runs) ->
          assertThat(runs).isEqualTo(1));
      for (DaemonProcess daemon : daemons) {
        assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
        assertThat(daemon.linesContaining("ERROR")).isEmpty();
      }
    } finally {
      sampling.set(false);
      sampler.join(10_000);
      daemons.forEach(DaemonProcess::close);
    }
  }
}
