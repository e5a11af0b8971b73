package dev.dispatcher.service.storage;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A database of its own on the test server, dropped on close: storage tests need the public schema,
 * the search_path and the database's privileges to themselves.
 */
final class FreshDatabase implements AutoCloseable {

  private final TestDatabase server;
  private final String name;
  private final DatabaseUrl url;

  private FreshDatabase(TestDatabase server, String name) {
    this.server = server;
    this.name = name;
    DatabaseUrl base = server.url();
    this.url = new DatabaseUrl(base.host(), base.port(), name, base.user(), base.password(), base.options());
  }

  static FreshDatabase on(TestDatabase server) throws SQLException {
    String name = "storage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return new FreshDatabase(server, name);
  }

  String name() {
    return name;
  }

  /** As the test server's user (a superuser). */
  DatabaseUrl url() {
    return url;
  }

  /** As another user of the server. */
  DatabaseUrl as(String user, String password) {
    return new DatabaseUrl(url.host(), url.port(), name, user, password, url.options());
  }

  /** A plain connection as the server's user. */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url.pgjdbcUrl(), url.user(), url.password());
  }

  void execute(String... statements) throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
