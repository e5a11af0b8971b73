package dev.dispatcher.tools.postgres;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code postgres stop}: stops what {@code postgres start} started (the container or the
 * background JVM) and clears the state directory. Succeeds when nothing was running.
 */
@Command(
    name = "stop",
    description = {
      "Stop the demo Postgres that `postgres start` started.",
      "Leaves other servers alone; succeeds when nothing runs."
    })
public final class PostgresStopCommand implements Callable<Integer> {

  @ParentCommand private PostgresCommand postgres;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    try {
      return stop(spec.commandLine().getOut());
    } catch (DemoDatabaseException e) {
      spec.commandLine().getErr().println("postgres stop failed: " + e.getMessage());
      return 1;
    }
  }

  private int stop(PrintWriter out) {
    StateDir state = postgres.stateDir();
    List<String> stopped = new ArrayList<>();
    Optional<String> recorded = state.readContainer();
    if (recorded.isPresent()) {
      stopContainer(recorded.get()).ifPresent(stopped::add);
      state.forgetContainer();
    }
    postgres.backgroundServer().stopRecorded().ifPresent(stopped::add);
    if (stopped.isEmpty() && recorded.isEmpty()) {
      // The state directory may be gone (`git clean`, another working directory) while the
      // container, which has a fixed name, still runs.
      stopUnrecordedContainer().ifPresent(stopped::add);
    }
    if (stopped.isEmpty()) {
      out.println("Nothing to stop: no demo Postgres started from " + state.dir() + " is running"
          + externalNote() + ".");
    } else {
      stopped.forEach(what -> out.println("Stopped " + what + "."));
    }
    return 0;
  }

  private Optional<String> stopContainer(String container) {
    DockerCli docker = postgres.docker();
    // A container cannot outlive the engine: with Docker unreachable there is nothing to stop.
    if (!docker.reachable() || !docker.isRunning(container)) {
      return Optional.empty();
    }
    docker.stop(container);
    return Optional.of(describeContainer(container));
  }

  private Optional<String> stopUnrecordedContainer() {
    DockerCli docker = postgres.docker();
    if (!docker.reachable()) {
      return Optional.empty();
    }
    Optional<String> container = docker.runningDemoContainer();
    container.ifPresent(docker::stop);
    return container.map(PostgresStopCommand::describeContainer);
  }

  private String externalNote() {
    DemoEndpoint endpoint = postgres.endpoint();
    return postgres.probe().probe(endpoint) instanceof PostgresProbe.Ready
        ? "; the Postgres at " + endpoint.address() + " was not started by `postgres start` and"
            + " was left running"
        : "";
  }

  private static String describeContainer(String container) {
    return "Docker container " + DockerCli.CONTAINER_NAME + " (" + DockerCli.shortId(container)
        + ")";
  }
}
