package dev.dispatcher.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code migrate}: its exit status and what it prints, against a real Postgres (or none). */
@ExtendWith(PostgresExtension.class)
class MigrateCommandTest {

  @TempDir
  Path directory;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void anUpToDateSchemaIsExit0EveryTime(TestDatabase database) throws Exception {
    String schema = "cli_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Path config = config("  url: \"" + jdbc(database.url()) + "\"\n  schema: " + schema + "\n");

    assertThat(run(config)).as("stderr: %s", err).isZero();
    // Versions are numbered 1, 2, 3, …: a fresh schema gets all of them, the last one's number.
    Matcher migrated = Pattern.compile("schema " + schema + " migrated to version (\\d+) \\((\\d+) migrations applied in \\d+ ms\\)\\s*")
        .matcher(out.toString());
    assertThat(migrated.matches()).as("output: %s", out).isTrue();
    assertThat(migrated.group(2)).isEqualTo(migrated.group(1));
    out.getBuffer().setLength(0);
    assertThat(run(config)).as("stderr: %s", err).isZero();
    assertThat(out.toString().strip()).isEqualTo("schema " + schema + " is up to date at version " + migrated.group(1));
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  @Test
  void aBadSchemaNameIsExit2NamingTheKey() throws Exception {
    assertThat(run(config("  url: postgresql://app@db.example/app\n  schema: 1st\n"))).isEqualTo(MigrateCommand.EXIT_CONFIG);
    assertThat(err.toString()).startsWith("config error: database.schema: must be a lower-case identifier").contains("was '1st'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aDatabaseThatDoesNotAnswerIsExit1() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    assertThat(run(config("  url: postgresql://app@127.0.0.1:" + closedPort + "/app\n"))).isEqualTo(MigrateCommand.EXIT_DATABASE);
    assertThat(err.toString()).startsWith("database error: cannot reach the database to migrate schema dispatcher: ");
  }

  private Path config(String databaseKeys) throws Exception {
    return Files.writeString(directory.resolve("dispatcher.yml"), "database:\n" + databaseKeys + "channels: [migrations]\n");
  }

  private int run(Path config) {
    CommandLine command = new CommandLine(new MigrateCommand(Map.of()));
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command.execute("--config", config.toString());
  }

  private static String jdbc(DatabaseUrl url) {
    return url.pgjdbcUrl() + (url.pgjdbcUrl().contains("?") ? "&" : "?") + "user=" + url.user()
        + (url.password() == null ? "" : "&password=" + url.password());
  }
}
