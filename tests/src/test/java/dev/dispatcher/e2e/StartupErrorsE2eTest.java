package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.e2e.tasks.FailingHook;
import dev.dispatcher.e2e.tasks.NotAHook;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration stops start-up with exit status 2 and a message naming the key. */
@ExtendWith(PostgresExtension.class)
class StartupErrorsE2eTest {

  @Test
  void anOutOfRangeValueNamesItsKey(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("cfg")), 8, "").replace("max_workers: 8", "max_workers: 0");
    assertExitsWithConfigError(database, config, directory, List.of(), "config error: pool.max_workers: must be between 1 and");
  }

  @Test
  void anUnknownKeyIsRejected(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("cfg")), 8, "shedules: {}\n");
    assertExitsWithConfigError(database, config, directory, List.of(), "config error: shedules: unknown key");
  }

  @Test
  void aChannelNameTooLongForPostgresIsRejected(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("cfg"), "c".repeat(64)), 8, "");
    assertExitsWithConfigError(database, config, directory, List.of(), "config error: channels[1]:");
  }

  @Test
  void aScheduleNamingAnUnknownTaskIsRejected(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("cfg")), 8,
        "schedules:\n  typo:\n    task: dev.dispatcher.demo.DemoTasks.helo\n    interval: 1s\n");
    assertExitsWithConfigError(database, config, directory, List.of(),
        "config error: schedules.typo.task: no registered task named 'dev.dispatcher.demo.DemoTasks.helo'");
  }

  @Test
  void aMissingClasspathEntryIsRejected(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("cfg")), 8, "");
    assertExitsWithConfigError(database, config, directory, List.of("--classpath", "/no/such/tasks.jar"),
        "config error: --classpath: no such jar or folder: /no/such/tasks.jar");
  }

  /** BUG: the class named was initialised (its static code ran) before it was checked to be a hook. */
  @Test
  void aHookThatIsNoHookIsRefusedWithoutRunningItsStaticCode(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("cfg")), 8, "")
        .replace("hooks: [dev.dispatcher.demo.RunJournal]", "hooks: [" + NotAHook.class.getName() + "]");
    String output = assertExitsWithConfigError(database, config, directory, List.of(), Map.of(),
        "config error: hooks[0]: class dev.dispatcher.e2e.tasks.NotAHook does not implement dev.dispatcher.service.hooks.DispatcherHook");
    assertThat(output).doesNotContain(NotAHook.TRACE);
  }

  @Test
  void aHookWhoseStaticCodeFailsIsAConfigError(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("cfg")), 8, "")
        .replace("hooks: [dev.dispatcher.demo.RunJournal]", "hooks: [dev.dispatcher.demo.RunJournal, " + FailingHook.class.getName() + "]");
    assertExitsWithConfigError(database, config, directory, List.of(), Map.of(), "config error: hooks[1]: class "
        + FailingHook.class.getName() + ": static initialiser failed: java.lang.IllegalStateException: no setting for FailingHook");
  }

  /** BUG: sslmode=bogus passed validation, and the daemon then failed every connect for ever. */
  @Test
  void aBadConnectionOptionInTheDatabaseUrlNamesItsKey(TestDatabase database, @TempDir Path directory) throws Exception {
    String config = Daemon.config(List.of(Daemon.channel("cfg")), 8, "")
        .replace("url: set-by-DISPATCHER_DATABASE_URL", "url: \"" + database.url() + "&sslmode=bogus\"");
    assertExitsWithConfigError(database, config, directory, List.of(), Map.of("DISPATCHER_DATABASE_URL", ""),
        "config error: database.url: sslmode 'bogus' is not one of disable, allow, prefer, require, verify-ca, verify-full");
  }

  private static void assertExitsWithConfigError(TestDatabase database, String config, Path directory, List<String> args, String expected)
      throws Exception {
    assertExitsWithConfigError(database, config, directory, args, Map.of(), expected);
  }

  /** Returns the daemon's output. */
  private static String assertExitsWithConfigError(TestDatabase database, String config, Path directory, List<String> args,
      Map<String, String> environment, String expected) throws Exception {
    try (DaemonProcess daemon = Daemon.launch(database, config, directory, args, environment)) {
      assertThat(daemon.awaitExit(Duration.ofSeconds(60))).as("exit status; output:%n%s", daemon.output()).isEqualTo(2);
      assertThat(daemon.output()).contains(expected);
      assertThat(daemon.output()).doesNotContain(Daemon.DAEMON_JAR.getFileName() + " ready");
      return daemon.output();
    }
  }
}
