package dev.dispatcher.tools.postgres;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code postgres start}: makes sure a demo Postgres accepts connections on the port and keeps
 * running after this command exits, then prints its URL as the last line.
 */
@Command(
    name = "start",
    description = {
      "Start a demo Postgres that outlives this command, unless one already answers.",
      "A Docker container when Docker is reachable, else embedded in a background JVM.",
      "Prints the connection URL last."
    })
public final class PostgresStartCommand implements Callable<Integer> {

  @ParentCommand private PostgresCommand postgres;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    try {
      return start(spec.commandLine().getOut());
    } catch (DemoDatabaseException e) {
      spec.commandLine().getErr().println("postgres start failed: " + e.getMessage());
      return 1;
    }
  }

  private int start(PrintWriter out) {
    DemoEndpoint endpoint = postgres.endpoint();
    switch (postgres.probe().probe(endpoint)) {
      case PostgresProbe.Ready ready -> {
        out.println(
            "PostgreSQL " + ready.serverVersion() + " already accepts connections at "
                + endpoint.address() + "; kind: " + postgres.recordedKind() + ".");
        out.println(endpoint.url());
        return 0;
      }
      case PostgresProbe.Rejected rejected ->
          throw DemoDatabaseStarter.portTaken(endpoint, rejected);
      case PostgresProbe.NothingListening ignored -> {
        // free: start one below
      }
    }
    refuseOrForgetEarlierStart(endpoint);
    DockerCli docker = postgres.docker();
    if (docker.reachable()) {
      out.println(
          "Starting Docker container " + DockerCli.CONTAINER_NAME + " (" + DockerCli.IMAGE
              + ") on " + endpoint.address() + "...");
      out.flush();
      String container = postgres.starter().startContainer(endpoint);
      postgres.stateDir().writeContainer(container);
      out.println(
          "Docker container " + DockerCli.CONTAINER_NAME + " (" + DockerCli.shortId(container)
              + ") is ready; it runs until `postgres stop`.");
    } else {
      StateDir state = postgres.stateDir();
      out.println(
          "Docker is not reachable: starting an embedded Postgres in a background JVM on "
              + endpoint.address() + " (log: " + state.logFile() + ")...");
      out.flush();
      long pid = postgres.backgroundServer().launch(endpoint);
      out.println(
          "Embedded Postgres (pid " + pid + ") is ready; it runs until `postgres stop`.");
    }
    out.println(endpoint.url());
    return 0;
  }

  /**
   * Nothing answers on the port, yet the state directory may remember an earlier start: if that
   * server still runs (still starting, hung, or on another port) starting a second one would
   * leave the first unmanaged, so refuse; if it is gone, forget it.
   */
  private void refuseOrForgetEarlierStart(DemoEndpoint endpoint) {
    StateDir state = postgres.stateDir();
    BackgroundServer server = postgres.backgroundServer();
    Optional<ProcessHandle> earlier = server.running();
    if (earlier.isPresent()) {
      throw new DemoDatabaseException(
          "the embedded Postgres (pid " + earlier.get().pid() + ") recorded in " + state.dir()
              + " is running but not accepting connections at " + endpoint.address()
              + "; run `postgres stop` first");
    }
    server.forgetIfStale();
    Optional<String> container = state.readContainer();
    if (container.isPresent()) {
      if (postgres.docker().isRunning(container.get())) {
        throw new DemoDatabaseException(
            "Docker container " + DockerCli.shortId(container.get()) + " recorded in "
                + state.dir() + " is running but not accepting connections at "
                + endpoint.address() + "; run `postgres stop` first");
      }
      state.forgetContainer();
    }
  }
}
