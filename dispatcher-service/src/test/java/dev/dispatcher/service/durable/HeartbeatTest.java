package dev.dispatcher.service.durable;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.pool.TestPools;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.DurableTasks.ClaimedRow;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.service.storage.PostgresStorage;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The heartbeat against a real Postgres, in a schema of its own. */
@ExtendWith(PostgresExtension.class)
class HeartbeatTest {

  private static final Duration LEASE = Duration.ofSeconds(60);

  private TestDatabase server;
  private SchemaName schema;
  private HikariDataSource pool;
  private DurableTasks rows;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void schemaOfItsOwn(TestDatabase server) throws Exception {
    this.server = server;
    schema = SchemaName.of("heartbeat_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    pool = ConnectionPools.create(server.url(), "heartbeat-test", 4);
    PostgresStorage storage = new PostgresStorage(server.url(), schema, pool, "node-a");
    storage.migrateAtStart();
    rows = storage.durableTasks();
  }

  @AfterEach
  void dropIt() throws Exception {
    timer.shutdownNow();
    pool.close();
    try (Connection connection = server.connect(); Statement drop = connection.createStatement()) {
      drop.execute("DROP SCHEMA " + schema.value() + " CASCADE");
    }
  }

  /**
   * BUG (a 10-minute run at 8,500 tasks/s): ~100,000 rows waited for their outcomes to be written,
   * and the heartbeat's one statement over all of them hit its 30 s timeout; the leases expired and
   * 380,241 tasks ran twice. Now it extends them in statements of at most 5,000 rows, each its own
   * transaction. Here 20,000 rows whose outcome waits to be written (the writer is not running).
   */
  @Test
  void aBeatOverTwentyThousandHeldRowsExtendsThemInStatementsOfAtMostFiveThousand() throws Exception {
    List<ClaimedRow> claimed = enqueueAndClaim(20_000, Duration.ofSeconds(5));
    CompletionWriter writer = new CompletionWriter(rows, new DispatcherMetrics(), Duration.ofSeconds(1));
    claimed.forEach(row -> writer.accept(new Completion.Completed(row.id(), row.attempt(), null)));
    List<Integer> statements = Collections.synchronizedList(new ArrayList<>());
    Heartbeat heartbeat = new Heartbeat(counting(rows, statements), TestPools.unbounded(4, work -> { }), writer, timer,
        Duration.ofSeconds(10), LEASE, "node-a");

    heartbeat.beat();

    assertThat(statements).as("rows per lease statement").hasSize(4).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(5_000));
    assertThat(statements.stream().mapToInt(Integer::intValue).sum()).isEqualTo(20_000);
    assertThat(count("state = 'running' AND lease_until > now() + interval '50 seconds'")).as("every lease extended").isEqualTo(20_000);
  }

  private List<ClaimedRow> enqueueAndClaim(int count, Duration lease) throws SQLException {
    try (Connection connection = server.connect(); PreparedStatement enqueue = connection.prepareStatement("SELECT count(*) FROM "
        + schema.value() + ".enqueue_many((SELECT jsonb_agg(jsonb_build_object('task', 'app.a', 'channel', 'emails'))"
        + " FROM generate_series(1, ?)))")) {
      enqueue.setInt(1, count);
      try (ResultSet result = enqueue.executeQuery()) {
        result.next();
        assertThat(result.getInt(1)).isEqualTo(count);
      }
    }
    List<ClaimedRow> claimed = rows.claim("emails", List.of("app.a"), count, "node-a", lease);
    assertThat(claimed).hasSize(count);
    return claimed;
  }

  private long count(String condition) throws SQLException {
    try (Connection connection = server.connect(); Statement select = connection.createStatement();
        ResultSet result = select.executeQuery("SELECT count(*) FROM " + schema.value() + ".tasks WHERE " + condition)) {
      result.next();
      return result.getLong(1);
    }
  }

  /** The real storage, recording the size of every lease extension it is asked for. */
  private static DurableTasks counting(DurableTasks real, List<Integer> extensions) {
    return (DurableTasks) Proxy.newProxyInstance(DurableTasks.class.getClassLoader(), new Class<?>[] {DurableTasks.class},
        (proxy, method, args) -> {
          if (method.getName().equals("extendLeasesOf")) {
            extensions.add(((Collection<?>) args[0]).size());
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
