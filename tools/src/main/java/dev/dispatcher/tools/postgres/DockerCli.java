package dev.dispatcher.tools.postgres;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The docker CLI, as far as the demo database needs it. */
final class DockerCli {

  /** One well-known name, so `postgres stop` finds the container even without its state file. */
  static final String CONTAINER_NAME = "dispatcher-demo-postgres";

  static final String IMAGE = "postgres:17";

  /** `docker info` answers at once when the engine is up; a hung socket must not stall us. */
  private static final Duration REACHABLE_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(15);

  /** `docker run` may have to pull the image first. */
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

  /** Postgres' own fast shutdown takes a second; docker kills it after its 10 s grace anyway. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final CommandRunner runner;

  DockerCli(CommandRunner runner) {
    this.runner = runner;
  }

  /** Whether a Docker engine answers; false when the CLI is missing or the daemon is down. */
  boolean reachable() {
    return runner
        .run(REACHABLE_TIMEOUT, List.of("docker", "info", "--format", "{{.ServerVersion}}"))
        .succeeded();
  }

  /**
   * Starts the demo container detached, with {@code --rm} so stopping it also removes it.
   *
   * @return the container id
   */
  String runDemoContainer(DemoEndpoint endpoint) {
    CommandRunner.Result result =
        runner.run(
            RUN_TIMEOUT,
            List.of(
                "docker", "run", "-d", "--rm",
                "--name", CONTAINER_NAME,
                // Loopback only: the demo password is public.
                "-p", DemoEndpoint.HOST + ":" + endpoint.port() + ":5432",
                "-e", "POSTGRES_USER=" + DemoEndpoint.USER,
                "-e", "POSTGRES_PASSWORD=" + DemoEndpoint.PASSWORD,
                "-e", "POSTGRES_DB=" + DemoEndpoint.DATABASE,
                IMAGE));
    if (!result.succeeded()) {
      throw new DemoDatabaseException(
          "docker run " + IMAGE + " (container " + CONTAINER_NAME + ") failed: "
              + result.errorSummary());
    }
    // The id is the last line of stdout; pull progress goes to stderr.
    String[] lines = result.stdout().strip().split("\\R");
    String id = lines[lines.length - 1].strip();
    if (id.isEmpty()) {
      throw new DemoDatabaseException("docker run " + IMAGE + " printed no container id");
    }
    return id;
  }

  /** Whether the container with this id or name is running. */
  boolean isRunning(String container) {
    CommandRunner.Result result =
        runner.run(
            QUERY_TIMEOUT, List.of("docker", "inspect", "-f", "{{.State.Running}}", container));
    return result.succeeded() && result.stdout().strip().equals("true");
  }

  /** The id of a running container named {@link #CONTAINER_NAME}, if there is one. */
  Optional<String> runningDemoContainer() {
    CommandRunner.Result result =
        runner.run(
            QUERY_TIMEOUT,
            List.of(
                "docker", "ps", "-q", "--no-trunc",
                "--filter", "name=^/?" + CONTAINER_NAME + "$"));
    if (!result.succeeded()) {
      return Optional.empty();
    }
    return result.stdout().lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst();
  }

  /** Stops the container; one that is already gone counts as stopped. */
  void stop(String container) {
    CommandRunner.Result result = runner.run(STOP_TIMEOUT, List.of("docker", "stop", container));
    if (!result.succeeded() && isRunning(container)) {
      throw new DemoDatabaseException(
          "docker stop " + shortId(container) + " failed: " + result.errorSummary());
    }
  }

  /** The 12-character form docker itself shows. */
  static String shortId(String container) {
    return container.length() > 12 && container.matches("[0-9a-f]+")
        ? container.substring(0, 12)
        : container;
  }
}
