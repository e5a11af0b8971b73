package dev.dispatcher.service.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Suspensions on a real Postgres: idempotent both ways, shared by every repository on the schema, bounded. */
@ExtendWith(PostgresExtension.class)
class PostgresSuspendedTasksTest {

  private FreshDatabase database;
  private HikariDataSource pool;
  private SuspendedTasks suspensions;

  @BeforeEach
  void freshDatabase(TestDatabase server) throws SQLException {
    database = FreshDatabase.on(server);
    pool = ConnectionPools.create(database.url(), "suspension-test", 2);
    PostgresStorage storage = new PostgresStorage(database.url(), SchemaName.of(SchemaName.DEFAULT), pool, "node-a");
    storage.migrateAtStart();
    suspensions = storage.suspendedTasks();
  }

  @AfterEach
  void dropIt() throws SQLException {
    pool.close();
    database.close();
  }

  @Test
  void suspendAndResumeSayWhetherTheyChangedTheSet() throws SQLException {
    assertThat(suspensions.suspended()).isEmpty();
    assertThat(suspensions.suspend("app.a", "node-a")).isTrue();
    assertThat(suspensions.suspend("app.a", "node-b")).isFalse();
    assertThat(suspensions.suspend("app.b", "node-b")).isTrue();
    assertThat(suspensions.suspended()).containsExactlyInAnyOrder("app.a", "app.b");
    assertThat(suspensions.resume("app.a")).isTrue();
    assertThat(suspensions.resume("app.a")).isFalse();
    assertThat(suspensions.suspended()).containsExactly("app.b");
  }

  @Test
  void theTableHoldsAtMostItsBoundAndRefusesMoreNamingWhy() throws SQLException {
    try (Connection connection = database.connect(); PreparedStatement fill = connection.prepareStatement(
        "INSERT INTO dispatcher.suspended_tasks (task) SELECT 'app.t' || g FROM generate_series(1, ?) g")) {
      fill.setInt(1, SuspendedTasks.MAX_SUSPENDED);
      fill.execute();
    }
    assertThat(suspensions.suspended()).hasSize(SuspendedTasks.MAX_SUSPENDED);
    assertThat(suspensions.suspend("app.t1", "node-a")).as("one suspended already: no change, no refusal").isFalse();
    assertThatThrownBy(() -> suspensions.suspend("app.more", "node-a")).isInstanceOf(SQLException.class)
        .hasMessageContaining("1000 task types are suspended already");
    assertThat(suspensions.resume("app.t1")).isTrue();
    assertThat(suspensions.suspend("app.more", "node-a")).isTrue();
  }
}
