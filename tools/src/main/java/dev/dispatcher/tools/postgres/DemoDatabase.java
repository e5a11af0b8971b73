package dev.dispatcher.tools.postgres;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postgres for the demo and the benchmark, logged in to as {@code dispatch}/{@code dispatching}
 * on database {@code dispatch_db} at 127.0.0.1. {@link #startOrReuse(int)} reuses a server already
 * on the port, else starts a Docker container, else an embedded server in this JVM; {@link
 * #close()} stops only what this instance started.
 *
 * <pre>{@code
 * try (DemoDatabase db = DemoDatabase.startOrReuse(55777)) {
 *   runDemo(db.url());
 * }
 * }</pre>
 */
public final class DemoDatabase implements AutoCloseable {

  /** How the database came to be; decides what {@link #close()} has to do. */
  enum Kind {
    REUSED("reused"),
    DOCKER("docker"),
    EMBEDDED("embedded");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(DemoDatabase.class);

  private final DemoEndpoint endpoint;
  private final Kind kind;
  private final AutoCloseable stopper;
  private final OptionalLong postmasterPid;
  private final AtomicBoolean closed = new AtomicBoolean();

  DemoDatabase(
      DemoEndpoint endpoint, Kind kind, AutoCloseable stopper, OptionalLong postmasterPid) {
    this.endpoint = endpoint;
    this.kind = kind;
    this.stopper = stopper;
    this.postmasterPid = postmasterPid;
  }

  /**
   * Returns a database on {@code port}: the one already accepting the demo login there, else a
   * new {@code postgres:17} Docker container when a Docker engine answers, else an embedded
   * PostgreSQL run by this JVM.
   *
   * @throws DemoDatabaseException when the port is taken by a server that rejects the demo login,
   *     or when the new server does not come up; the message says which
   */
  public static DemoDatabase startOrReuse(int port) {
    return DemoDatabaseStarter.withDefaults().startOrReuse(new DemoEndpoint(port));
  }

  /**
   * Starts an embedded PostgreSQL in this JVM on {@code port}, without looking for Docker or an
   * existing server first. Used by {@code postgres serve}.
   *
   * @throws DemoDatabaseException when it does not start
   */
  public static DemoDatabase startEmbedded(int port) {
    return DemoDatabaseStarter.withDefaults().startEmbedded(new DemoEndpoint(port));
  }

  /** {@code postgresql://dispatch:dispatching@127.0.0.1:<port>/dispatch_db}. */
  public String url() {
    return endpoint.url();
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/dispatch_db?user=dispatch&password=dispatching}. */
  public String jdbcUrl() {
    return endpoint.jdbcUrl();
  }

  public int port() {
    return endpoint.port();
  }

  /** {@code "reused"}, {@code "docker"} or {@code "embedded"}. */
  public String kind() {
    return kind.label();
  }

  /** The embedded server's postmaster pid, when this JVM runs one and could read it. */
  OptionalLong postmasterPid() {
    return postmasterPid;
  }

  /**
   * Stops the container or embedded server this instance started; a reused server is left
   * running. Safe to call more than once.
   *
   * @throws DemoDatabaseException when stopping fails
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    if (kind == Kind.REUSED) {
      log.info("Leaving the reused Postgres at {} running", endpoint.address());
      return;
    }
    try {
      stopper.close();
    } catch (Exception e) {
      throw new DemoDatabaseException(
          "could not stop the " + kind.label() + " Postgres at " + endpoint.address() + ": "
              + Messages.oneLine(e),
          e);
    }
    log.info("Stopped the {} Postgres at {}", kind.label(), endpoint.address());
  }

  @Override
  public String toString() {
    return kind.label() + " Postgres at " + endpoint.url();
  }
}
