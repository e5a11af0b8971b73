package dev.dispatcher.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.DoNotRetry;
import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import dev.dispatcher.wire.WireFormat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code context.transaction()}: a task's writes commit with its success (for a durable task, with its completion) or not at all. */
@ExtendWith(PostgresExtension.class)
class TaskTransactionTest {

  public static final class Tasks {
    @Task(name = "tx.write", bind = true)
    public static void write(TaskContext context, String note, boolean fail) throws SQLException {
      try (PreparedStatement insert = context.transaction().prepareStatement("INSERT INTO notes (note) VALUES (?)")) {
        insert.setString(1, note);
        insert.executeUpdate();
      }
      if (fail) {
        throw new DoNotRetry("failing after the write, on purpose", null);
      }
    }
  }

  private TestDatabase server;
  private String database;
  private DatabaseUrl url;
  private Dispatcher dispatcher;

  @BeforeEach
  void start(TestDatabase server) throws Exception {
    this.server = server;
    database = "tx_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection connection = server.connect(); Statement create = connection.createStatement()) {
      create.execute("CREATE DATABASE " + database);
    }
    DatabaseUrl base = server.url();
    url = new DatabaseUrl(base.host(), base.port(), database, base.user(), base.password(), base.options());
    execute("CREATE TABLE notes (note text NOT NULL)");
    DispatcherConfig config = new DispatcherConfig(new DispatcherConfig.Database(url, null), List.of("tx"), "tx", "tx-node",
        new DispatcherConfig.Pool(4, Duration.ofSeconds(5)), new DispatcherConfig.TaskSources(List.of(), List.of()), List.of(), List.of(),
        List.of());
    TaskRegistry registry = TaskRegistry.of(List.of(Tasks.class.getMethod("write", TaskContext.class, String.class, boolean.class)),
        WireFormat.newObjectMapper());
    dispatcher = Dispatcher.start(config, registry, List.of(), Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() throws Exception {
    if (dispatcher != null) {
      dispatcher.close();
    }
    try (Connection connection = server.connect(); Statement drop = connection.createStatement()) {
      drop.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url.pgjdbcUrl(), url.user(), url.password());
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private String query(String sql) throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
      return row.next() ? row.getString(1) : null;
    }
  }

  private String enqueue(String note, boolean fail) throws SQLException {
    return query("SELECT dispatcher.enqueue('tx.write', 'tx', '[\"" + note + "\", " + fail + "]')::text");
  }

  @Test
  void aDurableTasksWritesCommitWithItsCompletionOrNotAtAll() throws Exception {
    String kept = enqueue("kept", false);
    String dropped = enqueue("dropped", true);

    await().atMost(Duration.ofSeconds(20)).until(() -> "completed".equals(query("SELECT state FROM dispatcher.tasks WHERE uuid = '" + kept + "'"))
        && "failed".equals(query("SELECT state FROM dispatcher.tasks WHERE uuid = '" + dropped + "'")));
    assertThat(query("SELECT string_agg(note, ',') FROM notes")).isEqualTo("kept");
  }

  @Test
  void aFireAndForgetTasksWritesCommitWhenItSucceeds() throws Exception {
    execute("SELECT pg_notify('tx', '{\"task\": \"tx.write\", \"uuid\": \"f1\", \"args\": [\"sent\", false]}')");
    execute("SELECT pg_notify('tx', '{\"task\": \"tx.write\", \"uuid\": \"f2\", \"args\": [\"unsent\", true]}')");

    await().atMost(Duration.ofSeconds(20)).until(() -> dispatcher.metrics().finished(dev.dispatcher.service.metrics.OutcomeKind.FAILED) == 1
        && "sent".equals(query("SELECT string_agg(note, ',') FROM notes")));
    assertThat(query("SELECT count(*) FROM notes")).isEqualTo("1");
  }
}
