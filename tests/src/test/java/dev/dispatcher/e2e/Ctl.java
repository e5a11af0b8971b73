package dev.dispatcher.e2e;

import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code java -jar dispatcher-standalone.jar ctl ...} as its own process, against the test database. */
final class Ctl {

  /** What one ctl run printed, and its exit status. */
  record Result(int status, String stdout, String stderr) {}

  private Ctl() {}

  /** Runs {@code ctl args... --config <a config for the channel> --channel channel --timeout 10}. */
  static Result run(TestDatabase database, Path directory, String channel, String... args) throws Exception {
    return run(database, directory, channel, Map.of(), args);
  }

  /** {@link #run(TestDatabase, Path, String, String...)} with more environment (e.g. the control secret). */
  static Result run(TestDatabase database, Path directory, String channel, Map<String, String> environment, String... args)
      throws Exception {
    Path config = Files.createTempFile(directory, "ctl", ".yml");
    Files.writeString(config, Daemon.config(List.of(channel), 1, ""));
    // C1 only: a one-shot CLI starts in about half the time
    List<String> command = new ArrayList<>(List.of(DaemonProcess.currentJava(), "-XX:TieredStopAtLevel=1", "-jar",
        Daemon.DAEMON_JAR.toAbsolutePath().toString(), "ctl"));
    command.addAll(List.of(args));
    command.addAll(List.of("--config", config.toString(), "--channel", channel, "--timeout", "10"));
    Path stdout = Files.createTempFile(directory, "ctl", ".out");
    Path stderr = Files.createTempFile(directory, "ctl", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    builder.environment().remove("DISPATCHER_CONTROL_SECRET");
    builder.environment().put("DISPATCHER_DATABASE_URL", database.url());
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("ctl " + String.join(" ", args) + " did not finish within 60s");
    }
    return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
  }
}
