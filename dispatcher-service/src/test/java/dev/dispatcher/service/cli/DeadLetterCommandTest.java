package dev.dispatcher.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.storage.SchemaMigrations;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ctl retry} and {@code ctl discard} on the durable table of a real Postgres: what they change, print and exit with. */
@ExtendWith(PostgresExtension.class)
class DeadLetterCommandTest {

  @TempDir
  Path directory;

  private final String schema = "dl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private TestDatabase database;
  private Path config;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void migrate(TestDatabase database) throws Exception {
    this.database = database;
    SchemaMigrations.at(database.url(), SchemaName.of(schema)).migrate();
    config = Files.writeString(directory.resolve("dispatcher.yml"),
        "database:\n  url: \"" + jdbc(database.url()) + "\"\n  schema: " + schema + "\nchannels: [dead_letters]\n");
  }

  @AfterEach
  void dropSchema() throws SQLException {
    execute("DROP SCHEMA " + schema + " CASCADE");
  }

  @Test
  void retryMakesAFailedRowAvailableAgainWithOneMoreAttempt() throws Exception {
    String uuid = row("failed", 3, 3);

    assertThat(run("retry", "--uuid", uuid)).as("stderr: %s", err).isZero();

    assertThat(out.toString().strip()).isEqualTo("retried durable task " + uuid + ": available again, with one more attempt allowed");
    assertThat(err.toString()).isEmpty();
    assertThat(query("SELECT state || ' ' || attempt || '/' || max_attempts || ' ' || (finished_at IS NULL) || ' '"
        + " || (run_at <= now()) || ' ' || jsonb_array_length(errors) FROM " + schema + ".tasks WHERE uuid = '" + uuid + "'"))
        .as("available now, its attempts and errors kept").isEqualTo("available 3/4 true true 1");
  }

  @Test
  void retryTakesACancelledRowToo() throws Exception {
    String uuid = row("cancelled", 1, 10);

    assertThat(run("retry", "--uuid", uuid)).as("stderr: %s", err).isZero();

    assertThat(state(uuid)).isEqualTo("available");
  }

  @Test
  void discardDeletesAFailedRowAndThenFindsNoneExit1() throws Exception {
    String uuid = row("failed", 1, 1);

    assertThat(run("discard", "--uuid", uuid)).as("stderr: %s", err).isZero();
    assertThat(out.toString().strip()).isEqualTo("discarded durable task " + uuid + ": its row is deleted");
    assertThat(state(uuid)).isNull();

    out.getBuffer().setLength(0);
    assertThat(run("discard", "--uuid", uuid)).isEqualTo(ControlCommand.EXIT_TOO_FEW);
    assertThat(err.toString().strip()).isEqualTo("no failed or cancelled durable task with uuid " + uuid + " in schema " + schema
        + " (only those can be discarded)");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void rowsThatAreNotDeadAreLeftAloneExit1() throws Exception {
    List<String> alive = new ArrayList<>();
    for (String state : List.of("available", "scheduled", "running", "retryable", "completed")) {
      alive.add(row(state, 1, 10));
    }
    for (String uuid : alive) {
      String before = state(uuid);
      assertThat(run("retry", "--uuid", uuid)).as(before).isEqualTo(ControlCommand.EXIT_TOO_FEW);
      assertThat(run("discard", "--uuid", uuid)).as(before).isEqualTo(ControlCommand.EXIT_TOO_FEW);
      assertThat(state(uuid)).isEqualTo(before);
    }
    assertThat(run("retry", "--uuid", UUID.randomUUID().toString())).isEqualTo(ControlCommand.EXIT_TOO_FEW);
    assertThat(err.toString()).contains("(only those can be retried)");
  }

  @Test
  void usageErrorsAreExit2NamingTheOption() throws Exception {
    assertThat(run("retry")).isEqualTo(ControlCommand.EXIT_CONFIG);
    assertThat(err.toString()).contains("config error: --uuid: is required for retry");
    err.getBuffer().setLength(0);
    assertThat(run("discard", "--uuid", "not-a-uuid")).isEqualTo(ControlCommand.EXIT_CONFIG);
    assertThat(err.toString()).contains("config error: --uuid: must be a uuid").contains("'not-a-uuid'");
    err.getBuffer().setLength(0);
    assertThat(run("retry", "--uuid", UUID.randomUUID().toString(), "--task", "app.t")).isEqualTo(ControlCommand.EXIT_CONFIG);
    assertThat(err.toString()).contains("config error: --task: does not apply to retry");
    err.getBuffer().setLength(0);
    CommandLine command = commandLine();
    assertThat(command.execute("retry", "--uuid", UUID.randomUUID().toString(), "--config", directory.resolve("missing.yml").toString()))
        .isEqualTo(ControlCommand.EXIT_CONFIG);
    assertThat(err.toString()).startsWith("config error: ");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aDatabaseThatDoesNotAnswerIsExit1() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path unreachable = Files.writeString(directory.resolve("unreachable.yml"),
        "database:\n  url: postgresql://app@127.0.0.1:" + closedPort + "/app\nchannels: [dead_letters]\n");

    int status = commandLine().execute("retry", "--uuid", UUID.randomUUID().toString(), "--timeout", "1", "--config", unreachable.toString());

    assertThat(status).isEqualTo(ControlCommand.EXIT_TOO_FEW);
    assertThat(err.toString()).startsWith("database error: ");
  }

  /** A row in this state, with this attempt and max_attempts (and one error entry); its uuid. */
  private String row(String state, int attempt, int maxAttempts) throws SQLException {
    String uuid = query("SELECT " + schema + ".enqueue('app.tasks.t', 'dead_letters')");
    boolean finished = List.of("completed", "failed", "cancelled").contains(state);
    execute("UPDATE " + schema + ".tasks SET state = '" + state + "', attempt = " + attempt + ", max_attempts = " + maxAttempts
        + ", errors = '[{\"error\": \"boom\"}]', finished_at = " + (finished ? "now()" : "NULL")
        + (state.equals("running") ? ", attempted_by = 'n', lease_until = now() + interval '1 hour'" : "")
        + (state.equals("scheduled") || state.equals("retryable") ? ", run_at = now() + interval '1 hour'" : "")
        + " WHERE uuid = '" + uuid + "'");
    return uuid;
  }

  private String state(String uuid) throws SQLException {
    return query("SELECT state FROM " + schema + ".tasks WHERE uuid = '" + uuid + "'");
  }

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", config.toString()));
    return commandLine().execute(all.toArray(String[]::new));
  }

  private CommandLine commandLine() {
    CommandLine command = new CommandLine(new ControlCommand(Map.of(), (db, channel, name, data, expected, timeout, secret) -> {
      throw new AssertionError("retry and discard send no control message");
    }));
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command;
  }

  private String query(String sql) throws SQLException {
    try (Connection connection = database.connect(); PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet row = statement.executeQuery()) {
      return row.next() ? row.getString(1) : null;
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String jdbc(DatabaseUrl url) {
    return url.pgjdbcUrl() + (url.pgjdbcUrl().contains("?") ? "&" : "?") + "user=" + url.user()
        + (url.password() == null ? "" : "&password=" + url.password());
  }
}
