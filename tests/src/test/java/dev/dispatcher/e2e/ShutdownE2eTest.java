package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM stops the daemon cleanly: intake stops, the running task finishes, exit status 0. */
@ExtendWith(PostgresExtension.class)
class ShutdownE2eTest {

  @Test
  void sigtermLetsTheRunningTaskFinishAndExitsZero(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("shutdown");
    Journal journal = new Journal(database);
    try (DaemonProcess daemon = Daemon.launch(database, Daemon.config(List.of(channel), 2, ""), directory, List.of("--log-level", "DEBUG"))
            .awaitReady(Duration.ofSeconds(60));
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
      String sleeper = publisher.task(DemoTasks::sleep).delay(1.5);
      assertThat(daemon.awaitLine(line -> line.contains("task " + sleeper) && line.contains("started"), Duration.ofSeconds(30))).isTrue();

      int status = daemon.stop(Duration.ofSeconds(30));

      assertThat(status).as("exit status; output:%n%s", daemon.output()).isZero();
      assertThat(journal.statuses(sleeper)).containsExactly("succeeded");
      assertThat(daemon.linesContaining("SIGTERM received")).as("output:%n%s", daemon.output()).hasSize(1);
      assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString().contains("succeeded=1");
    }
  }
}
