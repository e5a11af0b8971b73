package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable task's progress reports reach its row (coalesced: a thousand reports, the last one
 * written) and the control command running, while it runs.
 */
@ExtendWith(PostgresExtension.class)
class DurableProgressE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void theLastProgressReportShowsInTheRowAndInRunning(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("durable_progress");
    DurableTable table = new DurableTable(database);
    Path gate = directory.resolve("gate");
    DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 2, DurableTable.FAST), directory);
    try {
      String uuid = table.enqueue(DurableTestTasks.PROGRESS, channel, List.of(gate.toString()), Map.of());

      await().atMost(WAIT).until(() -> "0.5 half way".equals(progress(database, uuid)));
      Ctl.Result running = Ctl.run(database, directory, channel, "running", "--uuid", uuid, "--json");
      assertThat(running.status()).as("ctl running: %s %s", running.stdout(), running.stderr()).isZero();
      JsonNode run = new ObjectMapper().readTree(running.stdout()).get(0).get("worker-0");
      assertThat(run.get("progress").doubleValue()).as(running.stdout()).isEqualTo(0.5);
      assertThat(run.get("progress_note").textValue()).isEqualTo("half way");

      Files.createFile(gate);
      await().atMost(WAIT).until(() -> table.count(channel, "completed") == 1);
      assertThat(progress(database, uuid)).as("kept after the run").isEqualTo("0.5 half way");
      assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
      assertThat(daemon.linesContaining("cannot write the progress")).isEmpty();
    } finally {
      daemon.close();
    }
  }

  private static String progress(TestDatabase database, String uuid) throws Exception {
    try (Connection connection = database.connect(); PreparedStatement query = connection.prepareStatement(
        "SELECT progress || ' ' || progress_note FROM dispatcher.tasks WHERE uuid = ?::uuid AND progress_at IS NOT NULL")) {
      query.setString(1, uuid);
      try (ResultSet result = query.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    }
  }
}
