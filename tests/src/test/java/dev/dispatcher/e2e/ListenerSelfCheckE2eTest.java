package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LISTEN connection that stops receiving without any error (simulated by a proxy that stops
 * forwarding): the daemon's self-check notices, reconnects, and the next task runs.
 */
@ExtendWith(PostgresExtension.class)
class ListenerSelfCheckE2eTest {

  @Test
  void aSilentlyDeadListenerIsDetectedAndReplaced(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("silent");
    Journal journal = new Journal(database);
    DatabaseUrl direct = DatabaseUrl.parse(database.url());
    try (FreezableProxy proxy = new FreezableProxy(direct.host(), direct.port())) {
      String listenUrl = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + direct.database() + "?user=" + direct.user()
          + (direct.password() == null ? "" : "&password=" + direct.password());
      String config = Daemon.config(List.of(channel), 2, "listener:\n  self_check_after: 1s\n  self_check_timeout: 1s\n")
          .replace("  url: set-by-DISPATCHER_DATABASE_URL\n", "  url: set-by-DISPATCHER_DATABASE_URL\n  listen_url: " + listenUrl + "\n");
      try (DaemonProcess daemon = Daemon.start(database, config, directory);
          Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
        String before = publisher.task(DemoTasks::hello).delay();
        await().atMost(Duration.ofSeconds(30)).until(() -> journal.runs(before) == 1);
        assertThat(daemon.awaitLine(line -> line.contains("self-check") && !line.contains("declaring"), Duration.ofSeconds(1)))
            .as("a passing self-check logs nothing").isFalse();

        proxy.freeze();

        assertThat(daemon.awaitLine(line -> line.contains("declaring the connection dead"), Duration.ofSeconds(15)))
            .as("output:%n%s", daemon.output()).isTrue();
        assertThat(daemon.awaitLine(line -> line.contains("listener reconnected"), Duration.ofSeconds(15)))
            .as("output:%n%s", daemon.output()).isTrue();
        String after = publisher.task(DemoTasks::sum2).delay(4L, 5L);
        await().atMost(Duration.ofSeconds(10)).until(() -> journal.runs(after) == 1);

        assertThat(daemon.stop(Duration.ofSeconds(30))).isZero();
        String summary = daemon.linesContaining("dispatcher stopped").get(0);
        assertThat(summary).contains("listener_losses=1").contains("listener_connections=2").contains("self_check_failures=1");
        assertThat(summary).doesNotContain("self_checks=0");
      }
    }
  }
}
