package dev.dispatcher.service.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.PostgresStorage;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The durable table's upkeep on a real Postgres, with small batches. */
@ExtendWith(PostgresExtension.class)
class MaintenanceTest {

  private static final int BATCH = 10;
  private static final int MAX_BATCHES = 2;
  /** Long enough that only the catch-up rounds can explain a second round within the test. */
  private static final Duration INTERVAL = Duration.ofHours(1);

  private TestDatabase server;
  private String schema;
  private HikariDataSource pool;
  private DurableTasks rows;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void schemaOfItsOwn(TestDatabase server) {
    this.server = server;
    schema = "maint_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    pool = ConnectionPools.create(server.url(), "maintenance-test", 2);
    PostgresStorage storage = new PostgresStorage(server.url(), SchemaName.of(schema), pool, "node-a");
    storage.migrateAtStart();
    rows = storage.durableTasks();
  }

  @AfterEach
  void dropIt() throws SQLException {
    timer.shutdownNow();
    pool.close();
    execute("DROP SCHEMA " + schema + " CASCADE");
  }

  @Test
  void aBacklogOfFinishedRowsIsWorkedOffRoundAfterRoundNotOneRoundPerInterval() throws Exception {
    int backlog = BATCH * MAX_BATCHES * 5 + 3;
    execute("INSERT INTO " + schema + ".tasks (uuid, task, channel, state, finished_at)"
        + " SELECT gen_random_uuid(), 'app.done', 'emails', 'completed', now() - interval '2 hours' FROM generate_series(1, " + backlog + ")",
        "INSERT INTO " + schema + ".tasks (uuid, task, channel, state) VALUES (gen_random_uuid(), 'app.waiting', 'emails', 'available')");
    Maintenance maintenance = new Maintenance(rows, timer, settings(), new DispatcherMetrics(), BATCH, MAX_BATCHES);

    maintenance.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> count() == 1);
    } finally {
      maintenance.stop();
    }
    assertThat(maintenance.rowsByState()).containsEntry("available", 1L).containsEntry("completed", 0L);
  }

  @Test
  void aRoundThatFindsLessThanItsMaximumLeavesTheNextOneToTheInterval() throws Exception {
    execute("INSERT INTO " + schema + ".tasks (uuid, task, channel, state, finished_at)"
        + " SELECT gen_random_uuid(), 'app.done', 'emails', 'completed', now() - interval '2 hours' FROM generate_series(1, 5)");
    Maintenance maintenance = new Maintenance(rows, timer, settings(), new DispatcherMetrics(), BATCH, MAX_BATCHES);

    assertThat(maintenance.cleanup()).isFalse();
    assertThat(count()).isZero();
    execute("INSERT INTO " + schema + ".tasks (uuid, task, channel, state, finished_at)"
        + " SELECT gen_random_uuid(), 'app.done', 'emails', 'completed', now() - interval '2 hours' FROM generate_series(1, " + BATCH * MAX_BATCHES
        + ")");
    assertThat(maintenance.cleanup()).as("a round that deleted its maximum says rows may be left").isTrue();
  }

  private static DispatcherConfig.Durable settings() {
    DispatcherConfig.Durable d = DispatcherConfig.Durable.DEFAULT;
    return new DispatcherConfig.Durable(true, d.pollInterval(), d.lease(), d.heartbeatInterval(), d.rescueInterval(), d.claimBatch(),
        Duration.ofHours(1), Duration.ofDays(7), INTERVAL, d.vacuumDeadRows());
  }

  private long count() throws SQLException {
    try (Connection connection = server.connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM " + schema + ".tasks")) {
      result.next();
      return result.getLong(1);
    }
  }

  private void execute(String... statements) throws SQLException {
    try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
