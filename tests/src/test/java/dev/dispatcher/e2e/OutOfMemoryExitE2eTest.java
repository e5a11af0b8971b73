package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.Publisher;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose heap is exhausted exits, non-zero and at once, instead of staying up deaf (issue
 * 7: it kept running at 117% CPU and ignored SIGTERM). Every launch path starts it with
 * {@value DaemonProcess#EXIT_ON_OOM}; here a task fills a 64 MiB heap.
 */
@ExtendWith(PostgresExtension.class)
class OutOfMemoryExitE2eTest {

  @Test
  void theDaemonExitsNonZeroWhenItsHeapIsExhausted(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("oom");
    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 2, ""), directory, List.of("-Xmx64m"));
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
      publisher.task("dev.dispatcher.e2e.tasks.MemoryTasks.exhaustHeap").delay();

      // awaitExit throws, with the output, if the process is still running after the bound
      int status = daemon.awaitExit(Duration.ofSeconds(60));

      assertThat(status).as("exit status; output:%n%s", daemon.output()).isNotZero();
      assertThat(daemon.output()).contains("Terminating due to java.lang.OutOfMemoryError");
    }
  }
}
