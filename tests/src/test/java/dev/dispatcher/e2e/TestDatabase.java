package dev.dispatcher.e2e;

import dev.dispatcher.jdbc.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The Postgres the end-to-end tests run against, picked in this order: the server named by
 * {@code DISPATCHER_TEST_JDBC_URL}; a Testcontainers container when Docker is reachable; an
 * embedded server (zonky). When none works the error says how to provide one.
 */
final class TestDatabase implements AutoCloseable {

  static final String ENV_URL = "DISPATCHER_TEST_JDBC_URL";

  private final String jdbcUrl;
  private final String kind;
  private final AutoCloseable server;

  private TestDatabase(String jdbcUrl, String kind, AutoCloseable server) {
    this.jdbcUrl = jdbcUrl;
    this.kind = kind;
    this.server = server;
  }

  static TestDatabase start() {
    String given = System.getenv(ENV_URL);
    if (given != null && !given.isBlank()) {
      DatabaseUrl url = DatabaseUrl.parse(given);
      return new TestDatabase(jdbc(url.pgjdbcUrl(), url.user(), url.password()), "external (" + ENV_URL + ")", () -> { });
    }
    Exception dockerProblem = null;
    try {
      if (DockerClientFactory.instance().isDockerAvailable()) {
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:17");
        container.start();
        return new TestDatabase(jdbc(container.getJdbcUrl(), container.getUsername(), container.getPassword()), "testcontainers", container);
      }
    } catch (RuntimeException e) {
      dockerProblem = e;
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      return new TestDatabase(embedded.getJdbcUrl("postgres", "postgres"), "embedded", embedded);
    } catch (Exception | LinkageError e) {
      throw new IllegalStateException("No Postgres for the end-to-end tests. Either set " + ENV_URL
          + "=postgresql://user:password@host:port/database (PostgreSQL 13 or newer, a superuser), or make Docker"
          + " reachable for Testcontainers, or let the embedded Postgres start (it failed: " + e + ")"
          + (dockerProblem == null ? "" : "; Docker check failed: " + dockerProblem), e);
    }
  }

  private static String jdbc(String url, String user, String password) {
    StringBuilder text = new StringBuilder(url).append(url.contains("?") ? '&' : '?').append("user=").append(user);
    if (password != null) {
      text.append("&password=").append(password);
    }
    return text.toString();
  }

  /** A {@code jdbc:postgresql:} URL with user and password: the publisher and the daemon both accept it. */
  String url() {
    return jdbcUrl;
  }

  String kind() {
    return kind;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the test database failed", e);
    }
  }
}
