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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Suspending a task type holds on every daemon of the database, also on one started afterwards: its
 * durable backlog waits in the table (other tasks on the channel keep running), its fire-and-forget
 * messages are dropped and counted; after a resume the backlog runs, each task once.
 */
@ExtendWith(PostgresExtension.class)
class SuspendE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ALLOW = "control:\n  allow: [suspend, resume]\n";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aSuspendedTasksBacklogWaitsOnEveryDaemonAndRunsOnceAfterResume(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("suspend");
    String suspended = DurableTestTasks.RECORD;
    DurableTable table = new DurableTable(database);
    List<DaemonProcess> daemons = new ArrayList<>();
    try {
      for (String node : List.of("a", "b")) {
        daemons.add(daemon(database, directory, channel, node));
      }
      for (DaemonProcess daemon : daemons) {
        daemon.awaitReady(WAIT);
      }

      Ctl.Result suspend = Ctl.run(database, directory, channel, "suspend", "--task", suspended, "--expected-replies", "2", "--json");
      assertThat(suspend.status()).as("ctl suspend: %s %s", suspend.stdout(), suspend.stderr()).isZero();
      for (JsonNode reply : JSON.readTree(suspend.stdout())) {
        assertThat(reply.toString()).contains("\"suspended\":[\"" + suspended + "\"]");
      }

      List<String> backlog = table.enqueueMany(suspended, channel, 200, List.of(), Map.of());
      // the other task of the channel still runs: once it has, the daemons have claimed past the backlog
      table.enqueueMany(DurableTestTasks.NOOP, channel, 20, List.of(), Map.of());
      await().atMost(WAIT).until(() -> count(database, channel, DurableTestTasks.NOOP, "completed") == 20);
      assertThat(count(database, channel, suspended, "available")).as("the suspended task's rows wait").isEqualTo(200);

      // a fire-and-forget message of the suspended task: each listening daemon drops it, counted
      try (Connection connection = database.connect(); PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
        notify.setString(1, channel);
        notify.setString(2, "{\"task\": \"" + suspended + "\", \"uuid\": \"" + UUID.randomUUID() + "\", \"args\": []}");
        notify.execute();
      }
      await().atMost(WAIT).untilAsserted(() -> {
        Ctl.Result metrics = Ctl.run(database, directory, channel, "metrics", "--expected-replies", "2", "--json");
        for (JsonNode reply : JSON.readTree(metrics.stdout())) {
          assertThat(reply.toString()).contains("\"suspended\":1");
        }
      });

      // a daemon started after the suspension reads it from the table
      DaemonProcess late = daemon(database, directory, channel, "c");
      daemons.add(late);
      late.awaitReady(WAIT);
      Ctl.Result status = Ctl.run(database, directory, channel, "status", "--expected-replies", "3", "--json");
      assertThat(status.status()).as("ctl status: %s %s", status.stdout(), status.stderr()).isZero();
      for (JsonNode reply : JSON.readTree(status.stdout())) {
        assertThat(reply.toString()).contains("\"suspended\":[\"" + suspended + "\"]");
      }
      table.enqueueMany(DurableTestTasks.NOOP, channel, 20, List.of(), Map.of());
      await().atMost(WAIT).until(() -> count(database, channel, DurableTestTasks.NOOP, "completed") == 40);
      assertThat(count(database, channel, suspended, "available")).isEqualTo(200);
      assertThat(table.runCounts(channel)).as("no run of the suspended task").isEmpty();

      Ctl.Result resume = Ctl.run(database, directory, channel, "resume", "--task", suspended, "--expected-replies", "3", "--json");
      assertThat(resume.status()).as("ctl resume: %s %s", resume.stdout(), resume.stderr()).isZero();
      for (JsonNode reply : JSON.readTree(resume.stdout())) {
        assertThat(reply.get("suspended")).as(reply.toString()).isEmpty();
      }
      await().atMost(WAIT).until(() -> count(database, channel, suspended, "completed") == 200);
      for (DaemonProcess daemon : daemons) {
        assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
        assertThat(daemon.linesContaining("is suspended (cluster-wide)")).hasSize(1);
        assertThat(daemon.linesContaining("is resumed")).hasSize(1);
      }
      Map<String, Integer> runs = table.runCounts(channel);
      assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(backlog);
      assertThat(runs.values()).as("each ran once").containsOnly(1);
    } finally {
      daemons.forEach(DaemonProcess::close);
    }
  }

  private static DaemonProcess daemon(TestDatabase database, Path directory, String channel, String node) throws Exception {
    String nodeId = "e2e-" + channel + "-" + node;
    return Daemon.launch(database, Daemon.config(nodeId, List.of(channel), 4, DurableTable.FAST + ALLOW),
        Files.createDirectories(directory.resolve(node)), List.of());
  }

  private static long count(TestDatabase database, String channel, String task, String state) throws Exception {
    try (Connection connection = database.connect(); PreparedStatement query = connection.prepareStatement(
        "SELECT count(*) FROM dispatcher.tasks WHERE channel = ? AND task = ? AND state = ?")) {
      query.setString(1, channel);
      query.setString(2, task);
      query.setString(3, state);
      try (ResultSet result = query.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }
}
