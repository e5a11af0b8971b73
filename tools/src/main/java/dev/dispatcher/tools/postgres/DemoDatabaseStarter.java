package dev.dispatcher.tools.postgres;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decides between reusing, Docker and embedded, and brings the chosen server up. */
final class DemoDatabaseStarter {

  /** Covers the postgres image's first-boot initdb and restart on a slow machine. */
  static final Duration CONTAINER_READY_TIMEOUT = Duration.ofSeconds(90);

  private static final Duration PROBE_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(DemoDatabaseStarter.class);

  private final PostgresProbe probe;
  private final DockerCli docker;

  DemoDatabaseStarter(PostgresProbe probe, DockerCli docker) {
    this.probe = probe;
    this.docker = docker;
  }

  static DemoDatabaseStarter withDefaults() {
    return new DemoDatabaseStarter(defaultProbe(), new DockerCli(new CommandRunner()));
  }

  static PostgresProbe defaultProbe() {
    return new PostgresProbe(PROBE_CONNECT_TIMEOUT);
  }

  DemoDatabase startOrReuse(DemoEndpoint endpoint) {
    switch (probe.probe(endpoint)) {
      case PostgresProbe.Ready ready -> {
        log.info(
            "Reusing the PostgreSQL {} already accepting connections at {}",
            ready.serverVersion(),
            endpoint.address());
        return new DemoDatabase(endpoint, DemoDatabase.Kind.REUSED, () -> {}, OptionalLong.empty());
      }
      case PostgresProbe.Rejected rejected -> throw portTaken(endpoint, rejected);
      case PostgresProbe.NothingListening ignored -> {
        // free: start one below
      }
    }
    if (docker.reachable()) {
      String container = startContainer(endpoint);
      return new DemoDatabase(
          endpoint, DemoDatabase.Kind.DOCKER, () -> docker.stop(container), OptionalLong.empty());
    }
    log.info("Docker is not reachable; starting an embedded Postgres in this JVM");
    return startEmbedded(endpoint);
  }

  DemoDatabase startEmbedded(DemoEndpoint endpoint) {
    log.info("Starting an embedded Postgres on {}", endpoint.address());
    EmbeddedServer server = EmbeddedServer.start(endpoint);
    log.info("Embedded Postgres is ready at {}", endpoint.url());
    return new DemoDatabase(endpoint, DemoDatabase.Kind.EMBEDDED, server, server.postmasterPid());
  }

  /**
   * Runs the demo container and waits until it accepts the demo login; stops it again if it
   * never does, so a failed start leaves nothing behind.
   *
   * @return the container id
   */
  String startContainer(DemoEndpoint endpoint) {
    log.info(
        "Starting Docker container {} ({}) on {}",
        DockerCli.CONTAINER_NAME,
        DockerCli.IMAGE,
        endpoint.address());
    String container = docker.runDemoContainer(endpoint);
    try {
      probe.awaitReady(
          endpoint,
          CONTAINER_READY_TIMEOUT,
          "Docker container " + DockerCli.CONTAINER_NAME,
          () ->
              docker.isRunning(container)
                  ? Optional.empty()
                  : Optional.of(
                      "exited before accepting connections (--rm removed its logs; `docker run"
                          + " --rm -e POSTGRES_PASSWORD=x " + DockerCli.IMAGE
                          + "` in the foreground shows why)"));
    } catch (DemoDatabaseException e) {
      stopQuietly(container);
      throw e;
    }
    log.info(
        "Docker container {} is ready at {}", DockerCli.shortId(container), endpoint.url());
    return container;
  }

  static DemoDatabaseException portTaken(DemoEndpoint endpoint, PostgresProbe.Rejected rejected) {
    return new DemoDatabaseException(
        "port %d is taken by a server that rejects the demo login (%s/%s on %s): %s"
            .formatted(
                endpoint.port(),
                DemoEndpoint.USER,
                DemoEndpoint.PASSWORD,
                DemoEndpoint.DATABASE,
                rejected.reason()));
  }

  private void stopQuietly(String container) {
    try {
      docker.stop(container);
    } catch (DemoDatabaseException e) {
      log.warn(
          "Could not stop Docker container {}: {}", DockerCli.shortId(container), e.getMessage());
    }
  }
}
