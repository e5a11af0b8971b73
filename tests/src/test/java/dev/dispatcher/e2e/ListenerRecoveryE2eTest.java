package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The listener's backend is terminated: the daemon notices, reconnects, LISTENs again and runs the next task. */
@ExtendWith(PostgresExtension.class)
class ListenerRecoveryE2eTest {

  @Test
  void afterPgTerminateBackendTheNextTaskStillRuns(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("recovery");
    Journal journal = new Journal(database);
    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 2, ""), directory);
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
      String before = publisher.task(DemoTasks::hello).delay();
      await().atMost(Duration.ofSeconds(30)).until(() -> journal.runs(before) == 1);

      assertThat(terminateListener(database, "dispatcher-listener e2e-" + channel)).isEqualTo(1);

      assertThat(daemon.awaitLine(line -> line.contains("listener reconnected"), Duration.ofSeconds(30)))
          .as("reconnect logged; output:%n%s", daemon.output()).isTrue();
      assertThat(daemon.linesContaining("listener connection lost")).hasSize(1);
      String after = publisher.task(DemoTasks::sum2).delay(2L, 3L);
      await().atMost(Duration.ofSeconds(30)).until(() -> journal.runs(after) == 1);
      assertThat(daemon.isAlive()).isTrue();
      assertThat(daemon.stop(Duration.ofSeconds(30))).isZero();
      assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString()
          .contains("listener_connections=2").contains("listener_losses=1");
    }
  }

  /** Terminates the backends with this application_name; returns how many. */
  private static int terminateListener(TestDatabase database, String applicationName) throws Exception {
    try (Connection connection = database.connect();
        PreparedStatement terminate = connection.prepareStatement(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
      terminate.setString(1, applicationName);
      try (ResultSet row = terminate.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }
}
