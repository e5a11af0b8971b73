package dev.dispatcher.service.testing;

import dev.dispatcher.jdbc.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The Postgres this module's integration tests run against, picked in the same order as the
 * end-to-end tests': the server named by {@code DISPATCHER_TEST_JDBC_URL}; a Testcontainers
 * container when Docker is reachable; an embedded server (zonky). Get one with
 * {@code @ExtendWith(PostgresExtension.class)} and a {@code TestDatabase} parameter.
 */
public final class TestDatabase implements AutoCloseable {

  static final String ENV_URL = "DISPATCHER_TEST_JDBC_URL";

  private final DatabaseUrl url;
  private final AutoCloseable server;

  private TestDatabase(DatabaseUrl url, AutoCloseable server) {
    this.url = url;
    this.server = server;
  }

  static TestDatabase start() {
    String given = System.getenv(ENV_URL);
    if (given != null && !given.isBlank()) {
      return new TestDatabase(DatabaseUrl.parse(given), () -> { });
    }
    Exception dockerProblem = null;
    try {
      if (DockerClientFactory.instance().isDockerAvailable()) {
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:17");
        container.start();
        return new TestDatabase(parse(container.getJdbcUrl(), container.getUsername(), container.getPassword()), container);
      }
    } catch (RuntimeException e) {
      dockerProblem = e;
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      return new TestDatabase(parse(embedded.getJdbcUrl("postgres", "postgres"), null, null), embedded);
    } catch (Exception | LinkageError e) {
      throw new IllegalStateException("No Postgres for the integration tests. Either set " + ENV_URL
          + "=postgresql://user:password@host:port/database (PostgreSQL 13 or newer, a superuser), or make Docker"
          + " reachable for Testcontainers, or let the embedded Postgres start (it failed: " + e + ")"
          + (dockerProblem == null ? "" : "; Docker check failed: " + dockerProblem), e);
    }
  }

  private static DatabaseUrl parse(String jdbcUrl, String user, String password) {
    StringBuilder text = new StringBuilder(jdbcUrl);
    if (user != null) {
      text.append(jdbcUrl.contains("?") ? '&' : '?').append("user=").append(user);
      if (password != null) {
        text.append("&password=").append(password);
      }
    }
    return DatabaseUrl.parse(text.toString());
  }

  /** Where the database is, with user and password. */
  public DatabaseUrl url() {
    return url;
  }

  /** A new plain JDBC connection (pgjdbc), for the test's own statements. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url.pgjdbcUrl(), url.user(), url.password());
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
