package dev.dispatcher.service.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.PublishBatch;
import dev.dispatcher.PublishException;
import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.Task;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import dev.dispatcher.wire.WireFormat;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The publisher's durable mode against the schema the daemon's migrations create: what lands in
 * {@code dispatcher.tasks}, in which transaction, how many statements and doorbells it takes, and
 * the SQL API used directly.
 */
@ExtendWith(PostgresExtension.class)
class DurablePublishTest {

  private static final String DOORBELL = "{\"doorbell\":\"durable\"}";
  private static final String NOT_MIGRATED = "cannot enqueue durable tasks on channel 'emails': the schema dispatcher has no"
      + " durable task table yet — start the daemon once or run `dispatcher-standalone migrate` (if the daemon's"
      + " database.schema is another, give it to Publisher.builder().schema): ";

  public static final class Tasks {
    @Task(channel = "emails", durable = true, timeout = 30, maxAttempts = 5, backoff = 10, maxBackoff = 600, priority = 3)
    public static void send(String to, int count) {}

    @Task(channel = "emails", durable = true, onDuplicate = OnDuplicate.DISCARD)
    public static void refresh(long id) {}

    @Task(channel = "emails", durable = true)
    public static void plain(String to) {}

    @Task(channel = "notify")
    public static void fireAndForget(String to) {}
  }

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private FreshDatabase database;
  private HikariDataSource pool;
  /** Statements prepared on the publisher's connections from the pool. */
  private final AtomicInteger statements = new AtomicInteger();

  @BeforeEach
  void freshDatabase(TestDatabase server) throws SQLException {
    database = FreshDatabase.on(server);
    pool = ConnectionPools.create(database.url(), "durable-publish-test", 2);
  }

  @AfterEach
  void dropIt() throws SQLException {
    pool.close();
    database.close();
  }

  private void migrate(String schema) {
    SchemaMigrations.at(database.url(), SchemaName.of(schema)).migrate();
  }

  private Publisher publisher() {
    return Publisher.builder().dataSource(counting(pool)).build();
  }

  @Test
  void aDurablePublishThroughThePoolWritesARowWithEveryColumnAsTheTaskSays() throws Exception {
    migrate("dispatcher");
    String uuid;
    try (Publisher publisher = publisher()) {
      uuid = publisher.task(Tasks::send).delay("ops@example.com", 2);
    }

    Map<String, Object> row = onlyRow("dispatcher");
    assertThat(row.get("uuid")).hasToString(uuid);
    assertThat(row.get("task")).isEqualTo(Tasks.class.getName() + ".send");
    assertThat(row.get("channel")).isEqualTo("emails");
    assertThat(row.get("args")).isEqualTo("[\"ops@example.com\", 2]");
    assertThat(row.get("kwargs")).isEqualTo("{}");
    assertThat(row.get("state")).isEqualTo("available");
    assertThat(row.get("priority")).isEqualTo(3);
    assertThat(row.get("attempt")).isEqualTo(0);
    assertThat(row.get("max_attempts")).isEqualTo(5);
    assertThat(row.get("backoff_seconds")).isEqualTo(10.0);
    assertThat(row.get("max_backoff_seconds")).isEqualTo(600.0);
    assertThat(row.get("timeout_seconds")).isEqualTo(30.0);
    assertThat(row.get("on_duplicate")).isEqualTo("parallel");
    assertThat(row.get("unique_key")).as("only discard and queue_one have one").isNull();
    assertThat((double) row.get("due_in")).as("due now").isBetween(-60.0, 0.0);
    assertThat(row.get("attempted_by")).isNull();
    assertThat(row.get("lease_until")).isNull();
    assertThat(row.get("errors")).isEqualTo("[]");
    JsonNode message = mapper.readTree((String) row.get("message"));
    assertThat(message.size()).as("message: %s", message).isEqualTo(1);
    double now = System.currentTimeMillis() / 1000.0;
    assertThat(message.get("time_pub").doubleValue()).isBetween(now - 60, now + 1);
    assertThat(statements).hasValue(1);
  }

  @Test
  void aDelayedDurableTaskIsScheduledForThen() throws Exception {
    migrate("dispatcher");
    try (Publisher publisher = publisher()) {
      publisher.task(Tasks::plain).withOptions(SubmitOptions.builder().delay(Duration.ofSeconds(90)).priority(-4).build())
          .delay("ops@example.com");
    }

    Map<String, Object> row = onlyRow("dispatcher");
    assertThat(row.get("state")).isEqualTo("scheduled");
    assertThat((double) row.get("due_in")).isBetween(80.0, 90.0);
    assertThat((double) row.get("delay")).as("run_at - created_at").isEqualTo(90.0);
    assertThat(row.get("priority")).isEqualTo(-4);
    assertThat(row.get("max_attempts")).isEqualTo(10);
    assertThat(row.get("backoff_seconds")).isEqualTo(2.0);
    assertThat(row.get("max_backoff_seconds")).isEqualTo(3600.0);
    assertThat(row.get("timeout_seconds")).as("no timeout").isNull();
  }

  @Test
  void inTheCallersTransactionARollbackWritesNothingAndACommitWritesTheRow() throws Exception {
    migrate("dispatcher");
    try (Publisher publisher = publisher(); Connection tx = database.connect()) {
      tx.setAutoCommit(false);
      publisher.inTransaction(tx).task(Tasks::plain).delay("rolled back");
      assertThat(rowsVisibleTo(tx)).as("the caller's transaction sees its row").isEqualTo(1);
      tx.rollback();
      assertThat(count("dispatcher")).isZero();

      String uuid = publisher.inTransaction(tx).task(Tasks::plain).delay("committed");
      assertThat(count("dispatcher")).as("not before the commit").isZero();
      tx.commit();
      assertThat(onlyRow("dispatcher").get("uuid")).hasToString(uuid);
    }
    assertThat(statements).as("nothing went through the pool").hasValue(0);
  }

  @Test
  void aBatchOfAThousandOnTwoChannelsIsOneStatementAndRingsEachChannelOnce() throws Exception {
    migrate("dispatcher");
    try (Connection listener = database.connect(); Publisher publisher = publisher()) {
      listen(listener, "emails", "billing");
      PublishBatch batch = publisher.batch();
      SubmitOptions billing = SubmitOptions.builder().channel("billing").build();
      List<String> published = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        published.add(i % 2 == 0 ? batch.task(Tasks::plain).delay("user" + i)
            : batch.task(Tasks::plain).withOptions(billing).delay("user" + i));
      }

      List<String> sent = batch.send();

      assertThat(sent).containsExactlyElementsOf(published);
      assertThat(statements).hasValue(1);
      assertThat(count("dispatcher")).isEqualTo(1000);
      assertThat(countWhere("dispatcher", "channel = 'billing'")).isEqualTo(500);
      List<PGNotification> rung = drain(listener);
      assertThat(rung).extracting(PGNotification::getName).containsExactlyInAnyOrder("emails", "billing");
      assertThat(rung).extracting(PGNotification::getParameter).containsOnly(DOORBELL);
    }
  }

  @Test
  void discardDuplicatesGoInOnce() throws Exception {
    migrate("dispatcher");
    try (Publisher publisher = publisher()) {
      String first = publisher.task(Tasks::refresh).delay(7L);
      publisher.task(Tasks::refresh).delay(7L);
      PublishBatch batch = publisher.batch();
      batch.task(Tasks::refresh).delay(7L);
      batch.task(Tasks::refresh).delay(8L);
      batch.task(Tasks::refresh).delay(8L);
      batch.send();

      assertThat(count("dispatcher")).isEqualTo(2);
      assertThat(countWhere("dispatcher", "args = '[7]' AND uuid = '" + first + "'")).as("the first one stays").isEqualTo(1);
      assertThat(countWhere("dispatcher", "on_duplicate = 'discard' AND unique_key IS NOT NULL")).isEqualTo(2);
    }
  }

  @Test
  void aMixedBatchThroughThePoolIsOneTransaction() throws Exception {
    migrate("dispatcher");
    database.execute("CREATE SCHEMA trap",
        // the batch's pg_notify (on channel 'trap') fails after its enqueue_many went through
        "CREATE FUNCTION trap.pg_notify(channel text, payload text) RETURNS void LANGUAGE plpgsql AS $$"
            + " BEGIN IF channel = 'trap' THEN RAISE EXCEPTION 'trapped'; END IF;"
            + " PERFORM pg_catalog.pg_notify(channel, payload); END $$");
    PGSimpleDataSource trapped = new PGSimpleDataSource();
    trapped.setURL(database.url().pgjdbcUrl());
    trapped.setUser(database.url().user());
    trapped.setPassword(database.url().password());
    trapped.setOptions("-c search_path=trap,pg_catalog");
    try (Connection listener = database.connect();
        Publisher publisher = Publisher.builder().dataSource(trapped).build()) {
      listen(listener, "emails", "notify");
      PublishBatch batch = publisher.batch();
      batch.task(Tasks::plain).delay("a@b");
      batch.task(Tasks::fireAndForget).withOptions(SubmitOptions.builder().channel("trap").build()).delay("a@b");

      assertThatThrownBy(batch::send).isInstanceOf(PublishException.class)
          .hasMessageStartingWith("pg_notify on channel 'trap' failed: ERROR: trapped");
      assertThat(count("dispatcher")).as("the enqueue was rolled back with it").isZero();

      PublishBatch good = publisher.batch();
      good.task(Tasks::plain).delay("a@b");
      good.task(Tasks::fireAndForget).delay("c@d");
      good.send();
      assertThat(count("dispatcher")).isEqualTo(1);
      List<PGNotification> received = drain(listener);
      assertThat(received).extracting(PGNotification::getName).containsExactly("emails", "notify");
      assertThat(received.get(0).getParameter()).as("only the committed batch rang").isEqualTo(DOORBELL);
      assertThat(mapper.readTree(received.get(1).getParameter()).get("args").toString()).isEqualTo("[\"c@d\"]");
    }
  }

  @Test
  void aMixedBatchOnTheCallersConnectionIsInTheCallersTransaction() throws Exception {
    migrate("dispatcher");
    try (Connection listener = database.connect(); Publisher publisher = publisher(); Connection tx = database.connect()) {
      listen(listener, "emails", "notify");
      tx.setAutoCommit(false);
      PublishBatch batch = publisher.inTransaction(tx).batch();
      batch.task(Tasks::plain).delay("a@b");
      batch.task(Tasks::fireAndForget).delay("a@b");
      batch.send();
      tx.rollback();
      assertThat(count("dispatcher")).isZero();

      batch.task(Tasks::plain).delay("a@b");
      batch.task(Tasks::fireAndForget).delay("a@b");
      batch.send();
      tx.commit();

      assertThat(count("dispatcher")).isEqualTo(1);
      assertThat(drain(listener)).extracting(PGNotification::getName).containsExactly("emails", "notify");
    }
    assertThat(statements).hasValue(0);
  }

  @Test
  void theSqlApiEnqueuesFromPlainSql() throws Exception {
    migrate("dispatcher");
    try (Connection listener = database.connect(); Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      listen(listener, "emails");

      String uuid = single(statement, "SELECT dispatcher.enqueue('app.x', 'emails', '[1]')");
      assertThat(uuid).matches("[0-9a-f-]{36}");
      Map<String, Object> row = onlyRow("dispatcher");
      assertThat(row.get("uuid")).hasToString(uuid);
      assertThat(row.get("task")).isEqualTo("app.x");
      assertThat(row.get("args")).isEqualTo("[1]");
      assertThat(row.get("state")).isEqualTo("available");
      assertThat(row.get("max_attempts")).isEqualTo(10);
      assertThat(drain(listener)).extracting(PGNotification::getParameter).containsExactly(DOORBELL);

      single(statement, "SELECT dispatcher.enqueue('app.x', 'emails', '[2]', '{}', '{\"delay\": 5, \"priority\": 2}')");
      assertThat(countWhere("dispatcher", "args = '[2]' AND state = 'scheduled' AND priority = 2"
          + " AND run_at - created_at = interval '5 seconds'")).isEqualTo(1);

      SQLException bad = catchThrowableOfType(SQLException.class,
          () -> single(statement, "SELECT dispatcher.enqueue('app.x', 'emails', '[3]', '{}', '{\"delay\": -1}')"));
      assertThat(bad.getSQLState()).isEqualTo("22023");
      assertThat(bad.getMessage()).contains("delay must be a number of seconds from 0 to 31536000");
      assertThat(count("dispatcher")).isEqualTo(2);
    }
  }

  @Test
  void aSchemaNeverMigratedIsReportedWithWhatToDo() throws Exception {
    try (Publisher publisher = publisher()) {
      assertThatThrownBy(() -> publisher.task(Tasks::plain).delay("a@b")).isInstanceOf(PublishException.class)
          .hasMessageStartingWith(NOT_MIGRATED + "ERROR: schema \"dispatcher\" does not exist");

      database.execute("CREATE SCHEMA dispatcher");
      assertThatThrownBy(() -> publisher.task(Tasks::plain).delay("a@b")).isInstanceOf(PublishException.class)
          .hasMessageStartingWith(NOT_MIGRATED + "ERROR: function dispatcher.enqueue_many(jsonb) does not exist");

      migrate("dispatcher");
      database.execute("DROP TABLE dispatcher.tasks");
      assertThatThrownBy(() -> publisher.task(Tasks::plain).delay("a@b")).isInstanceOf(PublishException.class)
          .hasMessageStartingWith(NOT_MIGRATED + "ERROR: relation \"dispatcher.tasks\" does not exist");
    }
  }

  @Test
  void aUserWithoutThePrivilegesIsToldWhichToGrant() throws Exception {
    migrate("dispatcher");
    String user = "app_" + database.name(); // roles are the server's: one per database, dropped with it
    database.execute("CREATE ROLE " + user + " LOGIN PASSWORD 'secret'");
    try (HikariDataSource appPool = ConnectionPools.create(database.as(user, "secret"), "durable-publish-test-app", 1);
        Publisher publisher = Publisher.builder().dataSource(appPool).build()) {
      assertThatThrownBy(() -> publisher.task(Tasks::plain).delay("a@b")).isInstanceOf(PublishException.class)
          .hasMessageStartingWith("\"dispatcher\".enqueue_many on channel 'emails' failed: ERROR: permission denied for schema")
          .hasMessageEndingWith("To enqueue durable tasks the database user needs: GRANT USAGE ON SCHEMA dispatcher TO <user>;"
              + " GRANT INSERT, SELECT (uuid, channel) ON dispatcher.tasks TO <user>");

      database.execute("GRANT USAGE ON SCHEMA dispatcher TO " + user,
          "GRANT INSERT, SELECT (uuid, channel) ON dispatcher.tasks TO " + user);
      String uuid = publisher.task(Tasks::plain).delay("a@b");
      assertThat(onlyRow("dispatcher").get("uuid")).hasToString(uuid);
    } finally {
      database.execute("DROP OWNED BY " + user, "DROP ROLE " + user);
    }
  }

  @Test
  void anotherSchemaIsThePublishersToName() throws Exception {
    migrate("jobs");
    try (Publisher publisher = Publisher.builder().dataSource(pool).schema("jobs").build()) {
      String uuid = publisher.task(Tasks::plain).delay("a@b");
      assertThat(onlyRow("jobs").get("uuid")).hasToString(uuid);
    }
  }

  @Test
  void aDurablePublishThatTakesTooLongIsCancelledAfterThePublishTimeout() throws Exception {
    migrate("dispatcher");
    database.execute("CREATE SCHEMA slow",
        "CREATE FUNCTION slow.pg_notify(channel text, payload text) RETURNS void LANGUAGE sql AS $$ SELECT pg_sleep(30) $$");
    try (Publisher publisher = Publisher.builder().dataSource(pool).publishTimeout(Duration.ofSeconds(1)).build();
        Connection tx = database.connect()) {
      tx.setAutoCommit(false);
      try (Statement statement = tx.createStatement()) {
        statement.execute("SET LOCAL search_path TO slow, pg_catalog"); // enqueue_many's doorbell then sleeps
      }
      long started = System.nanoTime();

      assertThatThrownBy(() -> publisher.inTransaction(tx).task(Tasks::plain).delay("a@b"))
          .isInstanceOf(PublishException.class)
          .hasMessageStartingWith("\"dispatcher\".enqueue_many on channel 'emails' did not finish within 1 s"
              + " (Publisher.builder().publishTimeout) and was cancelled");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
      tx.rollback();
    }
    assertThat(count("dispatcher")).isZero();
  }

  private static void listen(Connection listener, String... channels) throws SQLException {
    try (Statement statement = listener.createStatement()) {
      for (String channel : channels) {
        statement.execute("LISTEN " + channel);
      }
    }
  }

  /** Every notification that arrives until none has come for a second (the first may take up to 10 s). */
  private static List<PGNotification> drain(Connection listener) throws SQLException {
    List<PGNotification> received = new ArrayList<>();
    PGConnection pg = listener.unwrap(PGConnection.class);
    PGNotification[] batch = pg.getNotifications(10_000);
    while (batch != null && batch.length > 0) {
      received.addAll(List.of(batch));
      batch = pg.getNotifications(1_000);
    }
    return received;
  }

  private static String single(Statement statement, String sql) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }

  private int count(String schema) throws SQLException {
    return countWhere(schema, "true");
  }

  private int countWhere(String schema, String condition) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      return Integer.parseInt(single(statement, "SELECT count(*) FROM \"" + schema + "\".tasks WHERE " + condition));
    }
  }

  private static int rowsVisibleTo(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      return Integer.parseInt(single(statement, "SELECT count(*) FROM dispatcher.tasks"));
    }
  }

  /**
   * The table's only row, its jsonb as text, with {@code due_in} (run_at - now) and {@code delay}
   * (run_at - created_at) in seconds.
   */
  private Map<String, Object> onlyRow(String schema) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT uuid, task, channel, args::text AS args,"
            + " kwargs::text AS kwargs, state, priority, attempt, max_attempts, backoff_seconds, max_backoff_seconds,"
            + " timeout_seconds, on_duplicate, unique_key, attempted_by, lease_until, errors::text AS errors,"
            + " message::text AS message, extract(epoch FROM run_at - now())::float8 AS due_in,"
            + " extract(epoch FROM run_at - created_at)::float8 AS delay FROM \"" + schema + "\".tasks");
        ResultSet result = query.executeQuery()) {
      assertThat(result.next()).as("a row").isTrue();
      Map<String, Object> row = new HashMap<>();
      for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
        row.put(result.getMetaData().getColumnLabel(i), result.getObject(i));
      }
      assertThat(result.next()).as("only one row").isFalse();
      return row;
    }
  }

  /** The pool, counting the statements prepared on its connections. */
  private DataSource counting(DataSource dataSource) {
    return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          Object result = invoke(method, dataSource, args);
          if (!(result instanceof Connection connection)) {
            return result;
          }
          return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
              (p, m, a) -> {
                if (m.getName().equals("prepareStatement") || m.getName().equals("createStatement")
                    || m.getName().equals("prepareCall")) {
                  statements.incrementAndGet();
                }
                return invoke(m, connection, a);
              });
        });
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
