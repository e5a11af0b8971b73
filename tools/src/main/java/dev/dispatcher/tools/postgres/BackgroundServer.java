package dev.dispatcher.tools.postgres;

import dev.dispatcher.tools.DispatcherTools;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The embedded Postgres as a detached background JVM running {@code postgres serve}: launched by
 * `postgres start`, found again through the {@link StateDir} by `stop` and `status`.
 */
final class BackgroundServer {

  /** zonky unpacks its binaries and runs initdb on the first start: seconds, more on slow disks. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /** Marks the serve JVM in its log, so `start` can quote why it failed. */
  static final String FAILURE_PREFIX = "postgres serve failed: ";

  private final StateDir state;
  private final PostgresProbe probe;
  private final ProcessTerminator terminator;

  BackgroundServer(StateDir state, PostgresProbe probe, ProcessTerminator terminator) {
    this.state = state;
    this.probe = probe;
    this.terminator = terminator;
  }

  /**
   * Launches the serve JVM, records its pid, and waits until the demo login works. A server that
   * does not come up in time is stopped again and forgotten.
   *
   * @return the serve JVM's pid
   */
  long launch(DemoEndpoint endpoint) {
    state.createDirectory();
    Process process;
    try {
      process = processBuilder(endpoint).start();
    } catch (IOException e) {
      throw new DemoDatabaseException(
          "cannot launch the background JVM for the embedded Postgres: " + Messages.oneLine(e), e);
    }
    // Recorded before waiting, so an interrupted start can still be stopped.
    state.writeServerPid(process.pid());
    try {
      probe.awaitReady(
          endpoint,
          READY_TIMEOUT,
          "embedded Postgres (pid " + process.pid() + ")",
          () -> process.isAlive() ? Optional.empty() : Optional.of(exitDescription(process)));
      return process.pid();
    } catch (DemoDatabaseException e) {
      try {
        stopRecorded();
      } catch (DemoDatabaseException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /** The recorded serve JVM, if it is still running. */
  Optional<ProcessHandle> running() {
    OptionalLong pid = state.readServerPid();
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid.getAsLong())
        .filter(ProcessTerminator::isRunning)
        .filter(BackgroundServer::looksLikeServe);
  }

  /**
   * Stops the recorded serve JVM, whose shutdown hook stops Postgres, and a postmaster that
   * outlived its JVM (one that was killed, here or by someone else); then forgets both.
   *
   * @return what was stopped, for the user; empty when nothing recorded was running
   */
  Optional<String> stopRecorded() {
    List<String> stopped = new ArrayList<>();
    running().ifPresent(server -> stopped.add(stop(server)));
    orphanedPostmaster()
        .ifPresent(
            postmaster -> {
              terminator.terminate(postmaster);
              stopped.add("orphaned embedded postmaster (pid " + postmaster.pid() + ")");
            });
    state.forgetServer();
    return stopped.isEmpty() ? Optional.empty() : Optional.of(String.join(" and ", stopped));
  }

  /** Forgets a recorded server that no longer runs, so a new start begins clean. */
  void forgetIfStale() {
    if (running().isEmpty() && orphanedPostmaster().isEmpty()) {
      state.forgetServer();
    }
  }

  private String stop(ProcessHandle server) {
    ProcessTerminator.Outcome outcome = terminator.terminate(server);
    return outcome == ProcessTerminator.Outcome.EXITED
        ? "embedded Postgres (pid " + server.pid() + ")"
        : "embedded Postgres (pid " + server.pid() + ", killed after ignoring SIGTERM)";
  }

  /** A postmaster whose serve JVM died without stopping it (it was killed, say). */
  Optional<ProcessHandle> orphanedPostmaster() {
    OptionalLong pid = state.readPostmasterPid();
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid.getAsLong())
        .filter(ProcessTerminator::isRunning)
        .filter(BackgroundServer::looksLikePostgres);
  }

  private ProcessBuilder processBuilder(DemoEndpoint endpoint) {
    List<String> command = new ArrayList<>();
    // A session of its own: the server outlives this command, and a Ctrl-C or a job-control kill
    // aimed at whatever ran `postgres start` (make, a CI step) must not reach it.
    findOnPath("setsid").ifPresent(command::add);
    command.addAll(
        List.of(
            javaBinary(),
            // Serves no requests itself: a small heap and one GC thread are plenty.
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-cp",
            serverClassPath(),
            DispatcherTools.class.getName(),
            "postgres",
            "serve",
            "--port",
            Integer.toString(endpoint.port()),
            "--state-dir",
            state.dir().toAbsolutePath().toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(state.logFile().toFile()));
    File devNull = new File("/dev/null");
    if (devNull.exists()) {
      builder.redirectInput(ProcessBuilder.Redirect.from(devNull));
    }
    return builder;
  }

  private String exitDescription(Process process) {
    String reason =
        lastFailureLine()
            .map(line -> ": " + line)
            .orElse(" with code " + process.exitValue());
    return "exited before accepting connections" + reason + " (log: " + state.logFile() + ")";
  }

  private Optional<String> lastFailureLine() {
    try (Stream<String> lines = Files.lines(state.logFile())) {
      return lines
          .filter(line -> line.startsWith(FAILURE_PREFIX))
          .reduce((first, second) -> second)
          .map(line -> line.substring(FAILURE_PREFIX.length()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The java running this command: same version, same vendor, no PATH surprises. */
  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * This JVM's class path for the server. Under `java -jar` that is the tools jar, which the
   * server gets a private copy of: `make demo` rebuilds the jar in place while the server runs,
   * and a JVM whose jar changes under it fails to load the classes it still needs (its shutdown
   * hook's, for one). Class directories (an IDE run) are used as they are.
   */
  private String serverClassPath() {
    List<Path> entries =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.isEmpty())
            .map(entry -> Path.of(entry).toAbsolutePath())
            .toList();
    if (entries.size() == 1
        && entries.getFirst().getFileName().toString().endsWith(".jar")
        && Files.isRegularFile(entries.getFirst())) {
      return state.installServerJar(entries.getFirst()).toAbsolutePath().toString();
    }
    return entries.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }

  private static Optional<String> findOnPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, program))
        .filter(Files::isExecutable)
        .map(Path::toString)
        .findFirst();
  }

  /**
   * Guards against pid reuse: only signal a process whose command line is our serve command.
   * When the OS does not tell (info is empty), trust the pid file.
   */
  private static boolean looksLikeServe(ProcessHandle process) {
    Optional<String[]> arguments = process.info().arguments();
    if (arguments.isEmpty()) {
      return true;
    }
    List<String> args = List.of(arguments.get());
    return args.contains("postgres") && args.contains("serve");
  }

  private static boolean looksLikePostgres(ProcessHandle process) {
    return process
        .info()
        .command()
        .map(command -> Path.of(command).getFileName().toString().equals("postgres"))
        .orElse(true);
  }
}
