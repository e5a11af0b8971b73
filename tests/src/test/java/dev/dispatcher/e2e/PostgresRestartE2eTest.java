package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Postgres restart under a running daemon: a server of this test's own (embedded, same
 * data directory and port across the restart), stopped and started again. The daemon notices,
 * waits out the outage without spinning, reconnects, and the next task runs.
 */
class PostgresRestartE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void afterARestartTheDaemonReconnectsAndTheNextTaskRuns(@TempDir Path directory) throws Exception {
    Path data = Files.createDirectories(directory.resolve("pgdata"));
    int port = freePort();
    String channel = Daemon.channel("restart");
    String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    EmbeddedPostgres server = start(data, port);
    try (DaemonProcess daemon = DaemonProcess.start(Daemon.DAEMON_JAR,
        List.of("--config", writeConfig(directory, channel), "--classpath",
            Daemon.TOOLS_JAR.toAbsolutePath() + ":" + Daemon.TEST_TASKS.toAbsolutePath()),
        Map.of("DISPATCHER_DATABASE_URL", jdbcUrl), directory.resolve("daemon.log")).awaitReady(WAIT)) {
      String before = publish(jdbcUrl, channel);
      await().atMost(WAIT).until(() -> runs(jdbcUrl, before) == 1);

      server.close(); // stops the server; the data directory stays
      assertThat(daemon.awaitLine(line -> line.contains("listener connection lost"), WAIT)).as("output:%n%s", daemon.output()).isTrue();
      server = start(data, port);

      assertThat(daemon.awaitLine(line -> line.contains("listener reconnected"), WAIT)).as("output:%n%s", daemon.output()).isTrue();
      String after = publish(jdbcUrl, channel);
      try {
        await().atMost(Duration.ofSeconds(15)).until(() -> runs(jdbcUrl, after) == 1);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("task " + after + " did not run after the restart; daemon output:\n" + daemon.output(), e);
      }
      assertThat(daemon.isAlive()).isTrue();
      assertThat(daemon.stop(WAIT)).isZero();
    } finally {
      server.close();
    }
  }

  private static EmbeddedPostgres start(Path data, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
  }

  private static String writeConfig(Path directory, String channel) throws Exception {
    Path config = directory.resolve("dispatcher.yml");
    Files.writeString(config, Daemon.config(List.of(channel), 2, ""));
    return config.toString();
  }

  private static String publish(String jdbcUrl, String channel) {
    try (Publisher publisher = Publisher.builder().url(jdbcUrl).defaultChannel(channel).build()) {
      return publisher.task(DemoTasks::hello).delay();
    }
  }

  private static int runs(String jdbcUrl, String uuid) throws Exception {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM dispatcher_runs WHERE uuid = ?")) {
      query.setString(1, uuid);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      return 0; // the server is not up (yet), or the journal table not created yet
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
