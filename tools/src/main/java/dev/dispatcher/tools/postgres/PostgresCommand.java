package dev.dispatcher.tools.postgres;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code postgres start|stop|status}: a Postgres for the demo that outlives the command, in Docker
 * when an engine answers, else as an embedded server in a background JVM ({@code postgres serve}).
 * Its options are inherited, so they go before or after the subcommand alike. It also builds the
 * collaborators its subcommands share.
 */
@Command(
    name = "postgres",
    description = {
      "Start, stop or check the demo Postgres (Docker if reachable, else embedded).",
      "It listens on 127.0.0.1; login dispatch / dispatching, database dispatch_db."
    },
    subcommands = {
      PostgresStartCommand.class,
      PostgresStopCommand.class,
      PostgresStatusCommand.class,
      PostgresServeCommand.class
    })
public final class PostgresCommand implements Callable<Integer> {

  /** `stop` waits this long for the serve JVM to stop Postgres before killing it. */
  static final Duration STOP_GRACE = Duration.ofSeconds(20);

  @Option(
      names = "--port",
      defaultValue = "55777",
      scope = ScopeType.INHERIT,
      description = "TCP port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(
      names = "--state-dir",
      defaultValue = ".run",
      scope = ScopeType.INHERIT,
      description = "Where pid, container id and log are kept (default: ${DEFAULT-VALUE}).")
  private Path stateDir;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      scope = ScopeType.INHERIT,
      description = "Show this help message and exit.")
  private boolean help;

  @Spec private CommandSpec spec;

  /** Without a subcommand there is nothing to do: say so and show what there is. */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("postgres: missing subcommand (start, stop or status)");
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  DemoEndpoint endpoint() {
    return new DemoEndpoint(port);
  }

  StateDir stateDir() {
    return new StateDir(stateDir);
  }

  PostgresProbe probe() {
    return DemoDatabaseStarter.defaultProbe();
  }

  DockerCli docker() {
    return new DockerCli(new CommandRunner());
  }

  DemoDatabaseStarter starter() {
    return new DemoDatabaseStarter(probe(), docker());
  }

  BackgroundServer backgroundServer() {
    return new BackgroundServer(stateDir(), probe(), new ProcessTerminator(STOP_GRACE));
  }

  /**
   * Which kind of server answers on the port, as far as the state directory knows: "docker
   * (container ...)", "embedded (pid ...)" or "external" for one this tool did not start.
   */
  String recordedKind() {
    StateDir state = stateDir();
    Optional<String> container = state.readContainer();
    if (container.isPresent() && docker().isRunning(container.get())) {
      return "docker (container " + DockerCli.CONTAINER_NAME + ", "
          + DockerCli.shortId(container.get()) + ")";
    }
    BackgroundServer background = backgroundServer();
    Optional<ProcessHandle> server = background.running();
    if (server.isPresent()) {
      return "embedded (pid " + server.get().pid() + ", log " + state.logFile() + ")";
    }
    Optional<ProcessHandle> orphan = background.orphanedPostmaster();
    if (orphan.isPresent()) {
      return "embedded, orphaned (its JVM died; postmaster pid " + orphan.get().pid()
          + " runs on; `postgres stop` ends it)";
    }
    return "external (not started by `postgres start` with state dir " + state.dir() + ")";
  }
}
