package dev.dispatcher.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chaos run's own Postgres: its crash is a crash, not a shutdown under another name. */
class ChaosPostgresTest {

  /**
   * BUG: the first crash killed the process zonky had started, which is pg_ctl's, long gone by
   * then; the server went down through zonky's close instead, a fast shutdown that writes everything
   * out, so no WAL was lost and the scenario tested nothing a restart does not.
   */
  @Test
  void aCrashKillsEveryServerProcessAndTheServerRecoversWithWhatWasCommitted(@TempDir Path directory) throws Exception {
    Path log = directory.resolve("postgres.log");
    try (ChaosPostgres postgres = ChaosPostgres.start(directory.resolve("pgdata"), freePort(), log)) {
      long backend;
      try (Connection connection = connect(postgres); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE kept (n integer)");
        statement.execute("INSERT INTO kept VALUES (1)"); // acknowledged: flushed before the answer
        backend = single(statement, "SELECT pg_backend_pid()");
      }
      long postmaster = Long.parseLong(Files.readAllLines(directory.resolve("pgdata/postmaster.pid")).getFirst().strip());

      postgres.crash();

      assertThat(ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive)).as("the postmaster").isEmpty();
      assertThat(ProcessHandle.of(backend).filter(ProcessHandle::isAlive)).as("a backend").isEmpty();
      assertThat(Files.readString(log)).doesNotContain("shutdown request");

      postgres.start();
      assertThat(Files.readString(log)).contains("database system was not properly shut down; automatic recovery in progress");
      try (Connection connection = connect(postgres); Statement statement = connection.createStatement()) {
        assertThat(single(statement, "SELECT count(*) FROM kept WHERE n = 1")).isEqualTo(1);
      }
    }
  }

  private static Connection connect(ChaosPostgres postgres) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + ChaosPostgres.HOST + ":" + postgres.port() + "/postgres?user=postgres");
  }

  private static long single(Statement statement, String sql) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
