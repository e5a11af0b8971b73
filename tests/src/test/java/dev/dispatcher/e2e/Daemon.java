package dev.dispatcher.e2e;

import dev.dispatcher.tools.process.DaemonProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Starts the real daemon jar for a test: writes a config listening on the given channels, puts the
 * demo tasks (thin tools jar) and this module's test tasks on its {@code --classpath}, enables the
 * run journal, and waits until it listens.
 */
final class Daemon {

  static final Path DAEMON_JAR = Path.of(System.getProperty("dispatcher.standalone.jar", "../dispatcher-service/target/dispatcher-standalone.jar"));
  static final Path TOOLS_JAR = Path.of(System.getProperty("dispatcher.tools.jar", "../tools/target/dispatcher-tools-0.1.0-SNAPSHOT.jar"));
  static final Path TEST_TASKS = Path.of(System.getProperty("dispatcher.test.tasks", "target/test-classes"));

  /** Config text (for {@code extra}) that lets the daemon carry out every acting control command. */
  static final String ACTING_COMMANDS_ALLOWED = "control:\n  allow: [cancel, run, set_log_level]\n";

  private Daemon() {}

  /** A fresh channel name, so tests sharing one database never see each other's messages. */
  static String channel(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** Config text for these channels; {@code extra} is appended as more top-level YAML. */
  static String config(List<String> channels, int workers, String extra) {
    return config("e2e-" + channels.get(0), channels, workers, extra);
  }

  /** Config text with this node id (daemons that share their first channel need one each). */
  static String config(String nodeId, List<String> channels, int workers, String extra) {
    return "database:\n  url: set-by-DISPATCHER_DATABASE_URL\n"
        + "channels: [" + String.join(", ", channels) + "]\n"
        + "node_id: " + nodeId + "\n"
        + "pool:\n  max_workers: " + workers + "\n  shutdown_grace_period: 10s\n"
        + "tasks:\n  packages: [dev.dispatcher.demo, dev.dispatcher.e2e.tasks]\n"
        + "hooks: [dev.dispatcher.demo.RunJournal]\n"
        + extra;
  }

  static DaemonProcess start(TestDatabase database, String configText, Path directory) throws IOException, InterruptedException {
    return start(database, configText, directory, List.of());
  }

  /** Starts with these JVM options (e.g. {@code -Xmx128m}) and waits until it listens. */
  static DaemonProcess start(TestDatabase database, String configText, Path directory, List<String> jvmArgs)
      throws IOException, InterruptedException {
    DaemonProcess daemon = launch(database, configText, directory, List.of(), jvmArgs);
    return daemon.awaitReady(Duration.ofSeconds(60));
  }

  /** Starts without waiting for readiness (for start-up failures). */
  static DaemonProcess launch(TestDatabase database, String configText, Path directory, List<String> extraArgs) throws IOException {
    return launch(database, configText, directory, extraArgs, List.of(), Map.of());
  }

  /** As above, with these environment variables too (they win, e.g. a blank DISPATCHER_DATABASE_URL to use the file's). */
  static DaemonProcess launch(TestDatabase database, String configText, Path directory, List<String> extraArgs,
      Map<String, String> environment) throws IOException {
    return launch(database, configText, directory, extraArgs, List.of(), environment);
  }

  /** Starts with daemon options and JVM options, without waiting for readiness. */
  static DaemonProcess launch(TestDatabase database, String configText, Path directory, List<String> extraArgs, List<String> jvmArgs)
      throws IOException {
    return launch(database, configText, directory, extraArgs, jvmArgs, Map.of());
  }

  /** Starts with daemon options, JVM options and environment variables, without waiting for readiness. */
  static DaemonProcess launch(TestDatabase database, String configText, Path directory, List<String> extraArgs, List<String> jvmArgs,
      Map<String, String> environment) throws IOException {
    Path config = directory.resolve("dispatcher.yml");
    Files.writeString(config, configText);
    List<String> args = new ArrayList<>(List.of("--config", config.toString(),
        "--classpath", TOOLS_JAR.toAbsolutePath() + ":" + TEST_TASKS.toAbsolutePath()));
    args.addAll(extraArgs);
    Map<String, String> variables = new java.util.HashMap<>(Map.of("DISPATCHER_DATABASE_URL", database.url()));
    variables.putAll(environment);
    return DaemonProcess.start(jvmArgs, DAEMON_JAR, args, variables, directory.resolve("daemon.log"));
  }
}
