package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A completion writer that cannot write (a row of its batch locked by the test) holds the claims
 * back: a daemon claims no more once {@code durable.max_pending_completions} outcomes wait to be
 * written, so the rows it holds stay within that bound and its slots, while the rest of the
 * backlog waits in the table for any node. Once the writer goes on, every row completes, once.
 * (Before the bound, a task's slot freed when it ended and the daemon kept claiming while the
 * outcomes piled up: 100,000 claimed rows under load, whose leases then expired.)
 */
@ExtendWith(PostgresExtension.class)
class DurableBackPressureE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int WORKERS = 4;
  private static final int BOUND = 20;
  private static final int TASKS = 300;

  @Test
  void aStuckCompletionWriterStopsTheClaimsAtTheBoundAndEveryRowCompletesOnceItGoesOn(TestDatabase database, @TempDir Path directory)
      throws Exception {
    DurableTable table = new DurableTable(database);
    String channel = Daemon.channel("durable_pressure");
    String node = "e2e-" + channel;
    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicInteger mostHeld = new AtomicInteger();
    AtomicReference<Exception> samplerFailure = new AtomicReference<>();
    Thread sampler = Thread.ofPlatform().name("held-sampler").start(() -> {
      while (sampling.get()) {
        try {
          mostHeld.accumulateAndGet(table.held(channel, node), Math::max);
        } catch (Exception e) {
          samplerFailure.set(e);
          return;
        }
      }
    });
    String config = Daemon.config(node, List.of(channel), WORKERS, "durable:\n  poll_interval: 200ms\n  lease: 10s\n"
        + "  heartbeat_interval: 1s\n  rescue_interval: 500ms\n  max_pending_completions: " + BOUND + "\n");
    try (DaemonProcess daemon = Daemon.start(database, config, directory); Connection locker = database.connect()) {
      String slow = table.enqueue(DurableTestTasks.SLOW, channel, List.of(0.5), Map.of());
      await().atMost(WAIT).until(() -> table.runsOf(slow).size() == 1);
      locker.setAutoCommit(false);
      try (PreparedStatement lock = locker.prepareStatement("SELECT 1 FROM dispatcher.tasks WHERE uuid = ?::uuid FOR UPDATE")) {
        lock.setString(1, slow);
        lock.executeQuery().close();
      }
      // its outcome goes to the writer, whose batch now waits for the lock: every later outcome waits behind it
      assertThat(daemon.awaitLine(line -> line.contains("task " + slow) && line.contains("succeeded"), WAIT)).isTrue();

      table.enqueueMany(DurableTestTasks.NOOP, channel, TASKS, List.of(), Map.of());

      assertThat(daemon.awaitLine(line -> line.contains("durable claims wait"), Duration.ofSeconds(30)))
          .as("the claims stop at the bound; output:%n%s", daemon.output()).isTrue();
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
          .until(() -> table.held(channel, node) <= BOUND + WORKERS && table.count(channel, "available") > 0);
      assertThat(table.count(channel, "completed")).as("nothing is written meanwhile").isZero();

      locker.rollback();

      await().atMost(WAIT).until(() -> table.count(channel, "completed") == TASKS + 1);
      sampling.set(false);
      sampler.join(10_000);
      assertThat(samplerFailure.get()).isNull();
      assertThat(mostHeld.get()).as("rows the daemon held at once").isBetween(BOUND, BOUND + WORKERS);
      assertThat(table.states(channel)).containsExactly(entry("completed", TASKS + 1));
      assertThat(table.rows(channel).values()).allSatisfy(row -> {
        assertThat(row.attempt()).as("no lease was lost").isEqualTo(1);
        assertThat(row.errors()).isEmpty();
      });
      assertThat(daemon.linesContaining("durable claims go on")).hasSize(1);
      assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
      assertThat(daemon.linesContaining("not written")).isEmpty();
    } finally {
      sampling.set(false);
      sampler.join(10_000);
    }
  }
}
