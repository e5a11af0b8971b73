package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tasks shipped as a folder of jars, given to --classpath as the folder or as Java's 'folder/*'. */
@ExtendWith(PostgresExtension.class)
class ClasspathE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /** BUG: 'lib/*' was refused ("no such jar or folder"), and a folder's jars were neither scanned nor loaded. */
  @ParameterizedTest
  @ValueSource(strings = {"lib/*", "lib"})
  void theTasksOfAFolderOfJarsAreRegisteredAndRun(String form, TestDatabase database, @TempDir Path directory) throws Exception {
    Path lib = Files.createDirectories(directory.resolve("lib"));
    Files.copy(Daemon.TOOLS_JAR, lib.resolve("demo-tasks.jar")); // the demo tasks and the run journal hook, nowhere else
    String channel = Daemon.channel("cp");
    Path config = Files.writeString(directory.resolve("dispatcher.yml"), Daemon.config(List.of(channel), 2, ""));
    Journal journal = new Journal(database);
    try (DaemonProcess daemon = DaemonProcess.start(Daemon.DAEMON_JAR,
            List.of("--config", config.toString(), "--classpath", directory.resolve(form).toString()),
            Map.of("DISPATCHER_DATABASE_URL", database.url()), directory.resolve("daemon.log")).awaitReady(WAIT);
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
      assertThat(daemon.linesContaining("registered task dev.dispatcher.demo.DemoTasks.hello")).hasSize(1);
      String hello = publisher.task(DemoTasks::hello).delay();
      await().atMost(WAIT).until(() -> journal.runs(hello) == 1);
      assertThat(journal.statuses(hello)).containsExactly("succeeded");
    }
  }
}
