package dev.dispatcher.service.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import dev.dispatcher.wire.Notification;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

/** The repositories on a real Postgres, and what the daemon's start does with its migrations. */
@ExtendWith(PostgresExtension.class)
class PostgresStorageTest {

  private static final SchemaName SCHEMA = SchemaName.of(SchemaName.DEFAULT);
  private static final Instant TICK = Instant.parse("2026-12-01T10:00:00Z");

  private FreshDatabase database;
  private HikariDataSource pool;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger storageLog = (Logger) LoggerFactory.getLogger(PostgresStorage.class);

  @BeforeEach
  void freshDatabase(TestDatabase server) throws SQLException {
    database = FreshDatabase.on(server);
    pool = ConnectionPools.create(database.url(), "storage-test", 2);
    logs.start();
    storageLog.addAppender(logs);
  }

  @AfterEach
  void dropIt() throws SQLException {
    storageLog.detachAppender(logs);
    pool.close();
    database.close();
  }

  @Test
  void theFirstNodeToClaimATickWinsIt() throws Exception {
    PostgresStorage a = storage("node-a");
    PostgresStorage b = storage("node-b");
    a.migrateAtStart();
    b.migrateAtStart();

    assertThat(a.tickClaims().claim("report", TICK)).isTrue();
    assertThat(b.tickClaims().claim("report", TICK)).isFalse();
    assertThat(b.tickClaims().claim("report", TICK.plusSeconds(60))).isTrue();
    assertThat(a.tickClaims().claim("other", TICK)).as("ticks are per schedule").isTrue();
  }

  @Test
  void purgingKeepsClaimsOfTheLastDayAndEachSchedulesLatest() throws Exception {
    PostgresStorage storage = storage("node");
    storage.migrateAtStart();
    Instant now = Instant.now();
    TickClaims claims = storage.tickClaims();
    claims.claim("old", now.minusSeconds(3 * 86_400));
    claims.claim("old", now.minusSeconds(2 * 86_400));
    claims.claim("lone", now.minusSeconds(3 * 86_400));
    claims.claim("recent", now.minusSeconds(3_600));
    claims.claim("recent", now.minusSeconds(60));

    assertThat(claims.purge()).isEqualTo(1);
    assertThat(claims.claim("old", now.minusSeconds(3 * 86_400))).as("the purged one is gone").isTrue();
  }

  @Test
  void aDatabaseDownAtStartIsMigratedAtTheFirstClaimOnceItAnswers() throws Exception {
    SwitchableDataSource migrationSessions = new SwitchableDataSource(database);
    migrationSessions.down = true;
    PostgresStorage storage = new PostgresStorage(new SchemaMigrations(migrationSessions, SCHEMA), pool, "node");

    storage.migrateAtStart(); // does not throw: the daemon starts anyway

    assertThat(logs.list).hasSize(1);
    ILoggingEvent warning = logs.list.get(0);
    assertThat(warning.getLevel()).isEqualTo(Level.WARN);
    assertThat(warning.getFormattedMessage()).startsWith("storage: cannot reach the database to migrate schema dispatcher: ")
        .contains("starting anyway");
    assertThatThrownBy(() -> storage.tickClaims().claim("s", TICK)).as("the tick is skipped").isInstanceOf(SQLException.class)
        .hasMessageStartingWith("cannot reach the database to migrate schema dispatcher");

    migrationSessions.down = false;
    assertThat(storage.tickClaims().claim("s", TICK)).isTrue();
    assertThat(storage.tickClaims().claim("s", TICK)).isFalse();
  }

  @Test
  void aMigrationTheDatabaseRefusesStopsTheStart() throws Exception {
    database.execute("CREATE SCHEMA dispatcher", "CREATE TABLE dispatcher.schedule_ticks (x int)"); // in the way of migration 1
    PostgresStorage storage = storage("node");

    StorageException e = catchThrowableOfType(StorageException.class, storage::migrateAtStart);

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(StorageException.Reason.FAILED);
    assertThat(e.getMessage()).startsWith("migrating schema dispatcher failed: ").contains("already exists");
  }

  @Test
  void aTableDroppedByHandIsReportedWithWhatToDo() throws Exception {
    PostgresStorage storage = storage("node");
    storage.migrateAtStart();
    database.execute("DROP TABLE dispatcher.schedule_ticks");

    assertThatThrownBy(() -> storage.tickClaims().claim("s", TICK)).isInstanceOf(SQLException.class)
        .hasMessageStartingWith("the table \"dispatcher\".schedule_ticks is missing although the schema history")
        .hasMessageContaining("drop schema dispatcher and start again");
  }

  @Test
  void notificationsGoOutInOrderInOneStatement() throws Exception {
    try (Connection listening = database.connect()) {
      listening.createStatement().execute("LISTEN storage_test_replies");
      storage("node").notifier().send(List.of(new Notification("storage_test_replies", "one"),
          new Notification("storage_test_replies", "two")));
      org.postgresql.PGNotification[] received = listening.unwrap(PGConnection.class).getNotifications(10_000);
      assertThat(received).extracting(org.postgresql.PGNotification::getParameter).containsExactly("one", "two");
    }
  }

  private PostgresStorage storage(String nodeId) {
    return new PostgresStorage(database.url(), SCHEMA, pool, nodeId);
  }

  /** Direct sessions to the test database, refused (as a server that is down refuses them) while {@code down}. */
  private static final class SwitchableDataSource implements DataSource {
    private final PGSimpleDataSource real = new PGSimpleDataSource();
    volatile boolean down;

    SwitchableDataSource(FreshDatabase database) {
      real.setURL(database.url().pgjdbcUrl());
      real.setUser(database.url().user());
      real.setPassword(database.url().password());
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (down) {
        throw new SQLException("Connection to 127.0.0.1 refused (the test says the server is down)", "08001");
      }
      return real.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }
}
