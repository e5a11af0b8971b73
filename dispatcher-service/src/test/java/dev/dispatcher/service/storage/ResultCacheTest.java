package dev.dispatcher.service.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.Task;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.storage.DurableTasks.ClaimedRow;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import dev.dispatcher.status.TaskHandle;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The result cache in the SQL API ({@code cache_for} in {@code enqueue} and {@code enqueue_many})
 * and through the publisher, against the schema the migrations create: rows finished by the
 * daemon's own completion writer answer later submissions, only fresh, kept, completed ones do,
 * the lookup walks {@code tasks_cache}, and a submission without a cache looks nothing up (the
 * plans of every statement {@code enqueue_many} runs, from auto_explain).
 */
@ExtendWith(PostgresExtension.class)
class ResultCacheTest {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final String QUOTE = Tasks.class.getName() + ".quote";
  /** A scan of the task table (the lookup), as auto_explain prints it; the insert's "Insert on tasks" is not one. */
  private static final Pattern SCAN_OF_TASKS = Pattern.compile("Scan\\b[^\\n]* on tasks\\b");

  public static final class Tasks {
    @Task(channel = "quotes", durable = true, cacheFor = "10m")
    public static double quote(String symbol) {
      return 1;
    }

    @Task(channel = "quotes", durable = true)
    public static double uncached(String symbol) {
      return 1;
    }
  }

  private FreshDatabase database;
  private HikariDataSource pool;
  private DurableTasks rows;
  /** Statements prepared on the publisher's connections. */
  private final AtomicInteger statements = new AtomicInteger();
  /** What auto_explain said (NOTICE) about the publisher's statements, when {@link #explaining} is on. */
  private final List<String> plans = new ArrayList<>();
  private volatile boolean explaining;

  @BeforeEach
  void freshDatabase(TestDatabase server) throws SQLException {
    database = FreshDatabase.on(server);
    pool = ConnectionPools.create(database.url(), "result-cache-test", 4);
    PostgresStorage storage = new PostgresStorage(database.url(), SchemaName.of(SchemaName.DEFAULT), pool, "node-a");
    storage.migrateAtStart();
    rows = storage.durableTasks();
  }

  @AfterEach
  void dropIt() throws SQLException {
    pool.close();
    database.close();
  }

  /** What {@code dispatcher.enqueue} answered, and the notices (auto_explain's plans) its statement left. */
  private record Answer(String uuid, String plan) {}

  private static Answer enqueue(Connection connection, String task, String channel, String args, String options) throws SQLException {
    try (PreparedStatement enqueue = connection.prepareStatement("SELECT dispatcher.enqueue(?, ?, ?::jsonb, '{}', ?::jsonb)::text")) {
      enqueue.setString(1, task);
      enqueue.setString(2, channel);
      enqueue.setString(3, args);
      enqueue.setString(4, options);
      try (ResultSet result = enqueue.executeQuery()) {
        result.next();
        return new Answer(result.getString(1), warnings(enqueue.getWarnings()));
      }
    }
  }

  private String enqueue(String task, String channel, String args, String options) throws SQLException {
    try (Connection connection = database.connect()) {
      return enqueue(connection, task, channel, args, options).uuid();
    }
  }

  private List<String> enqueueMany(String batch) throws SQLException {
    List<String> answered = new ArrayList<>();
    try (Connection connection = database.connect();
        PreparedStatement enqueue = connection.prepareStatement("SELECT u::text FROM dispatcher.enqueue_many(?::jsonb) AS u")) {
      enqueue.setString(1, batch);
      try (ResultSet result = enqueue.executeQuery()) {
        while (result.next()) {
          answered.add(result.getString(1));
        }
      }
    }
    return answered;
  }

  /** Claims the row as a daemon would and writes this outcome for it with the daemon's completion writer. */
  private void finish(String uuid, java.util.function.Function<ClaimedRow, Completion> outcome) throws SQLException {
    String channel = column(uuid, "channel");
    ClaimedRow claimed = rows.claim(channel, Set.of(column(uuid, "task")), 1000, "node-a", LEASE).stream()
        .filter(row -> row.uuid().equals(uuid)).findFirst().orElseThrow();
    assertThat(rows.complete(List.of(outcome.apply(claimed)))).isEqualTo(1);
  }

  private void complete(String uuid, String resultJson) throws SQLException {
    finish(uuid, row -> new Completion.Completed(row.id(), row.attempt(), resultJson));
  }

  private String column(String uuid, String expression) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement select = connection.prepareStatement("SELECT (" + expression + ")::text FROM dispatcher.tasks WHERE uuid = ?::uuid")) {
      select.setString(1, uuid);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    }
  }

  private int rowCount() throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM dispatcher.tasks")) {
      result.next();
      return result.getInt(1);
    }
  }

  @Test
  void aCompletedResultAnswersTheSameTaskAndArgumentsOnAnyChannelInsteadOfANewRow() throws Exception {
    String first = enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 600}");
    String whileItWaits = enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 600}");
    assertThat(whileItWaits).as("not completed yet: a cache is not a lock").isNotEqualTo(first);
    complete(first, "{\"price\": 12.5}");
    int before = rowCount();

    try (Connection listener = database.connect()) {
      listener.createStatement().execute("LISTEN quotes");
      assertThat(enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 600}")).isEqualTo(first);
      assertThat(enqueue("app.quote", "other_channel", "[\"ACME\"]", "{\"cache_for\": 60, \"priority\": 9}"))
          .as("the channel and the other options need not match").isEqualTo(first);
      assertThat(rowCount()).as("a hit inserts nothing").isEqualTo(before);
      PGNotification[] rung = listener.unwrap(PGConnection.class).getNotifications(200);
      assertThat(rung == null ? 0 : rung.length).as("and rings no doorbell").isZero();
    }

    assertThat(enqueue("app.quote", "quotes", "[\"OTHER\"]", "{\"cache_for\": 600}")).as("other args").isNotEqualTo(first);
    assertThat(enqueue("app.price", "quotes", "[\"ACME\"]", "{\"cache_for\": 600}")).as("another task").isNotEqualTo(first);
    assertThat(enqueue("app.quote", "quotes", "[\"ACME\"]", "{}")).as("no cache_for: no lookup").isNotEqualTo(first);
    try (Connection connection = database.connect(); PreparedStatement enqueue = connection.prepareStatement(
        "SELECT dispatcher.enqueue('app.quote', 'quotes', '[\"ACME\"]', ?::jsonb, '{\"cache_for\": 600}')::text")) {
      enqueue.setString(1, "{\"currency\": \"EUR\"}");
      try (ResultSet result = enqueue.executeQuery()) {
        result.next();
        assertThat(result.getString(1)).as("other kwargs").isNotEqualTo(first);
      }
    }
    assertThat(rowCount()).isEqualTo(before + 4);
  }

  @Test
  void kwargsMatchAsJsonbWhateverTheirKeysOrder() throws Exception {
    String first;
    try (Connection connection = database.connect(); PreparedStatement enqueue = connection.prepareStatement(
        "SELECT dispatcher.enqueue('app.quote', 'quotes', '[]', ?::jsonb, '{\"cache_for\": 600}')::text")) {
      enqueue.setString(1, "{\"symbol\": \"ACME\", \"currency\": \"EUR\"}");
      try (ResultSet result = enqueue.executeQuery()) {
        result.next();
        first = result.getString(1);
      }
      complete(first, "12.5");
      enqueue.setString(1, "{\"currency\": \"EUR\",   \"symbol\": \"ACME\"}");
      try (ResultSet result = enqueue.executeQuery()) {
        result.next();
        assertThat(result.getString(1)).isEqualTo(first);
      }
    }
  }

  @Test
  void onlyACompletedKeptResultYoungerThanCacheForAnswersAndTheNewestWins() throws Exception {
    String options = "{\"cache_for\": 60}";
    String failed = enqueue("app.quote", "quotes", "[\"FAIL\"]", options);
    finish(failed, row -> new Completion.Failed(row.id(), row.attempt(), "{\"error\": \"boom\"}"));
    assertThat(enqueue("app.quote", "quotes", "[\"FAIL\"]", options)).as("failed").isNotEqualTo(failed);

    String cancelled = enqueue("app.quote", "quotes", "[\"CANCEL\"]", options);
    finish(cancelled, row -> new Completion.Cancelled(row.id(), row.attempt()));
    assertThat(enqueue("app.quote", "quotes", "[\"CANCEL\"]", options)).as("cancelled").isNotEqualTo(cancelled);

    String omitted = enqueue("app.quote", "quotes", "[\"BIG\"]", options);
    finish(omitted, row -> new Completion.Completed(row.id(), row.attempt(), null, 70_012, "70012 bytes of JSON, more than 64 KiB"));
    assertThat(enqueue("app.quote", "quotes", "[\"BIG\"]", options)).as("its result not kept").isNotEqualTo(omitted);

    String running = enqueue("app.quote", "quotes", "[\"RUN\"]", options);
    rows.claim("quotes", Set.of("app.quote"), 1000, "node-a", LEASE);
    assertThat(column(running, "state")).isEqualTo("running");
    assertThat(enqueue("app.quote", "quotes", "[\"RUN\"]", options)).as("running").isNotEqualTo(running);

    String nothing = enqueue("app.quote", "quotes", "[\"VOID\"]", options);
    complete(nothing, null);
    assertThat(enqueue("app.quote", "quotes", "[\"VOID\"]", options)).as("a task that returned nothing has a result: none").isEqualTo(nothing);

    String old = enqueue("app.quote", "quotes", "[\"OLD\"]", options);
    complete(old, "1");
    database.execute("UPDATE dispatcher.tasks SET finished_at = finished_at - interval '90 seconds' WHERE uuid = '" + old + "'");
    assertThat(enqueue("app.quote", "quotes", "[\"OLD\"]", options)).as("finished 90 s ago, cache_for 60").isNotEqualTo(old);
    assertThat(enqueue("app.quote", "quotes", "[\"OLD\"]", "{\"cache_for\": 120}")).as("the submission says how old").isEqualTo(old);
    assertThat(enqueue("app.quote", "quotes", "[\"OLD\"]", "{\"cache_for\": 0.5}")).isNotEqualTo(old);

    String newer = enqueue("app.quote", "quotes", "[\"OLD\"]", "{\"cache_for\": 0}");
    complete(newer, "2");
    assertThat(enqueue("app.quote", "quotes", "[\"OLD\"]", "{\"cache_for\": 120}")).as("the newest result").isEqualTo(newer);
  }

  @Test
  void zeroKeysTheRowWithoutALookupAndAGivenUuidDoesNotKeepTheCacheFromAnswering() throws Exception {
    String first = enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 0}");
    assertThat(column(first, "cache_key")).isNotNull();
    complete(first, "12.5");
    String zero = enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 0}");
    assertThat(zero).as("0: run it anyway").isNotEqualTo(first);
    assertThat(enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 600}")).as("a row keyed with 0 answers").isEqualTo(first);

    String given = "5d4c2f0e-8b1a-4f7e-9c3d-2a1b0c9d8e7f";
    assertThat(enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 600, \"uuid\": \"" + given + "\"}")).isEqualTo(first);
    assertThat(column(given, "uuid")).as("the SQL API answers with the cached row; the given uuid names none").isNull();

    String unkeyed = enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": null}");
    assertThat(column(unkeyed, "cache_key")).as("null is no cache_for").isNull();
    assertThat(column(unkeyed, "message")).isEqualTo("{}");
  }

  @Test
  void aBatchIsAnsweredInOrderWithHitsInsertsAndWhatOnDuplicateKeepsOut() throws Exception {
    String hit = enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 600}");
    complete(hit, "12.5");
    String waiting = enqueue("app.refresh", "quotes", "[1]", "{\"on_duplicate\": \"discard\"}");

    List<String> answered = enqueueMany("[{\"task\": \"app.quote\", \"channel\": \"a\", \"args\": [\"NEW1\"], \"cache_for\": 600},"
        + " {\"task\": \"app.quote\", \"channel\": \"a\", \"args\": [\"ACME\"], \"cache_for\": 600},"
        + " {\"task\": \"app.refresh\", \"channel\": \"a\", \"args\": [1], \"on_duplicate\": \"discard\"},"
        + " {\"task\": \"app.quote\", \"channel\": \"b\", \"args\": [\"NEW2\"]},"
        + " {\"task\": \"app.quote\", \"channel\": \"b\", \"args\": [\"ACME\"], \"cache_for\": 60}]");

    assertThat(answered).hasSize(4);
    assertThat(column(answered.get(0), "args")).isEqualTo("[\"NEW1\"]");
    assertThat(answered.get(1)).isEqualTo(hit);
    assertThat(column(answered.get(2), "args")).as("the discarded one answers nothing").isEqualTo("[\"NEW2\"]");
    assertThat(answered.get(3)).isEqualTo(hit);
    assertThat(column(waiting, "state")).isEqualTo("available");

    try (Connection listener = database.connect()) {
      listener.createStatement().execute("LISTEN quotes");
      assertThat(enqueueMany("[{\"task\": \"app.quote\", \"channel\": \"quotes\", \"args\": [\"ACME\"], \"cache_for\": 5}]"))
          .containsExactly(hit);
      PGNotification[] rung = listener.unwrap(PGConnection.class).getNotifications(200);
      assertThat(rung == null ? 0 : rung.length).as("all hits: no doorbell").isZero();
    }
  }

  @Test
  void theSqlApiRefusesABadCacheFor() {
    for (String bad : List.of("\"600\"", "-1", "31536001", "true", "[1]")) {
      assertThatThrownBy(() -> enqueue("app.quote", "quotes", "[]", "{\"cache_for\": " + bad + "}"))
          .as(bad).isInstanceOf(SQLException.class)
          .hasMessageContaining("enqueue_many: cache_for must be a number of seconds from 0 to 31536000 (a year)")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22023"));
    }
  }

  @Test
  void retentionStillDeletesACachedRowAndThenItAnswersNothing() throws Exception {
    String first = enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 31536000}");
    complete(first, "12.5");
    database.execute("UPDATE dispatcher.tasks SET finished_at = now() - interval '2 hours' WHERE uuid = '" + first + "'");

    assertThat(rows.deleteFinished(Duration.ofHours(1), Duration.ofDays(7), 1000)).isEqualTo(1);

    String again = enqueue("app.quote", "quotes", "[\"ACME\"]", "{\"cache_for\": 31536000}");
    assertThat(again).isNotEqualTo(first);
    assertThat(column(again, "state")).isEqualTo("available");
  }

  @Test
  void theLookupIsAnIndexScanOfTasksCache() throws Exception {
    database.execute("INSERT INTO dispatcher.tasks (uuid, task, channel, args, state, finished_at, result, cache_key)"
        + " SELECT gen_random_uuid(), 'app.quote', 'quotes', jsonb_build_array(n), 'completed', now() - n * interval '1 second',"
        + " to_jsonb(n), md5('app.quote ' || jsonb_build_array(n)::text || ' {}')::uuid FROM generate_series(1, 20000) AS n",
        "INSERT INTO dispatcher.tasks (uuid, task, channel, args, state) SELECT gen_random_uuid(), 'app.other', 'quotes',"
        + " jsonb_build_array(n), 'available' FROM generate_series(1, 20000) AS n",
        "ANALYZE dispatcher.tasks");
    Answer explained;
    try (Connection connection = explainingConnection()) {
      explained = enqueue(connection, "app.quote", "quotes", "[150]", "{\"cache_for\": 600}");
    }
    String answer = explained.uuid();
    String plan = explained.plan();

    assertThat(column(answer, "result")).as("the row that finished 150 s ago, found through its key").isEqualTo("150");
    assertThat(plan).contains("Index Scan Backward using tasks_cache on tasks c")
        .containsPattern("Index Cond: \\(\\(cache_key = i\\.cache_key\\) AND \\(finished_at >= ");
    assertThat(SCAN_OF_TASKS.matcher(plan.replace("Index Scan Backward using tasks_cache on tasks c", "")).find())
        .as("no other scan of the table:%n%s", plan).isFalse();
  }

  @Test
  void aSubmissionWithoutACacheLooksNothingUpAndComputesNoKey() throws Exception {
    String cachedPlan;
    String plainPlan;
    String batchPlan;
    try (Connection connection = explainingConnection()) {
      cachedPlan = enqueue(connection, "app.quote", "quotes", "[1]", "{\"cache_for\": 600}").plan();
      Answer plain = enqueue(connection, "app.quote", "quotes", "[1]", "{\"on_duplicate\": \"discard\", \"client\": \"shop\"}");
      plainPlan = plain.plan();
      assertThat(column(plain.uuid(), "cache_key")).isNull();
    }
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"task\": \"app.quote\", \"channel\": \"quotes\", \"args\": [").append(i).append("]}");
    }
    try (Connection connection = explainingConnection();
        PreparedStatement enqueue = connection.prepareStatement("SELECT count(*) FROM dispatcher.enqueue_many(?::jsonb)")) {
      enqueue.setString(1, batch.append(']').toString());
      try (ResultSet result = enqueue.executeQuery()) {
        result.next();
        assertThat(result.getInt(1)).isEqualTo(1000);
      }
      batchPlan = warnings(enqueue.getWarnings());
    }

    assertThat(SCAN_OF_TASKS.matcher(cachedPlan).find()).as("the harness sees a lookup when there is one:%n%s", cachedPlan).isTrue();
    for (String plan : List.of(plainPlan, batchPlan)) {
      assertThat(plan).contains("Insert on tasks").doesNotContain("tasks_cache").doesNotContain("cache_key");
      assertThat(SCAN_OF_TASKS.matcher(plan).find()).as("no lookup:%n%s", plan).isFalse();
    }
    assertThat(count("SELECT count(*) FROM dispatcher.tasks WHERE cache_key IS NOT NULL")).isEqualTo(1);
  }

  @Test
  void thePublisherHandsBackTheCachedRowsUuidAndAHandleThatHasItsResultAtOnce() throws Exception {
    String first;
    try (Publisher publisher = Publisher.builder().dataSource(counting(pool)).build()) {
      first = publisher.task(Tasks::quote).delay("ACME");
      assertThat(column(first, "cache_key")).isNotNull();
      complete(first, "{\"price\": 12.5}");
      statements.set(0);

      assertThat(publisher.task(Tasks::quote).delay("ACME")).isEqualTo(first);
      assertThat(statements).as("the lookup is the enqueue statement").hasValue(1);
      TaskHandle handle = publisher.task(Tasks::quote).submit("ACME");
      assertThat(handle.cached()).isTrue();
      assertThat(handle.uuid()).isEqualTo(first);
      assertThat(handle.future()).as("read at once, no wait").isDone();
      assertThat(handle.result(Duration.ofSeconds(5)).get("price").doubleValue()).isEqualTo(12.5);

      TaskHandle other = publisher.task(Tasks::quote).submit("OTHER");
      assertThat(other.cached()).isFalse();
      assertThat(column(other.uuid(), "state")).isEqualTo("available");

      try (Connection transaction = database.connect()) {
        transaction.setAutoCommit(false);
        assertThat(publisher.inTransaction(transaction).task(Tasks::quote).delay("ACME")).isEqualTo(first);
        transaction.rollback();
      }

      String given = "5d4c2f0e-8b1a-4f7e-9c3d-2a1b0c9d8e7f";
      TaskHandle own = publisher.task(Tasks::quote).withOptions(SubmitOptions.builder().uuid(given).build()).submit("ACME");
      assertThat(own.uuid()).as("a given uuid names its own row").isEqualTo(given);
      assertThat(own.cached()).isFalse();
      assertThat(column(given, "state")).isEqualTo("available");

      String bypass = publisher.task(Tasks::quote).withOptions(SubmitOptions.builder().cacheFor(Duration.ZERO).build()).delay("ACME");
      assertThat(bypass).isNotEqualTo(first);
      complete(bypass, "{\"price\": 13}");
      assertThat(publisher.task(Tasks::quote).delay("ACME")).as("the newer result answers now").isEqualTo(bypass);

      statements.set(0);
      String plain = publisher.task(Tasks::uncached).delay("ACME");
      assertThat(statements).hasValue(1);
      assertThat(column(plain, "cache_key")).isNull();
      assertThat(column(plain, "message")).doesNotContain("cache_for");
    }
  }

  @Test
  void thePublishersOwnStatementForATaskWithoutACacheLooksNothingUp() throws Exception {
    explaining = true;
    try (Publisher publisher = Publisher.builder().dataSource(counting(pool)).build()) {
      publisher.task(Tasks::quote).delay("ACME");
      String cachedPlan = String.join("\n", plans);
      plans.clear();
      var batch = publisher.batch();
      for (int i = 0; i < 100; i++) {
        batch.task(Tasks::uncached).delay("S" + i);
      }
      batch.send();
      publisher.task(Tasks::uncached).delay("ACME");
      String plainPlan = String.join("\n", plans);

      assertThat(SCAN_OF_TASKS.matcher(cachedPlan).find()).as("seen when there is one:%n%s", cachedPlan).isTrue();
      assertThat(plainPlan).contains("Insert on tasks").doesNotContain("tasks_cache");
      assertThat(SCAN_OF_TASKS.matcher(plainPlan).find()).as("no lookup:%n%s", plainPlan).isFalse();
    }
  }

  private int count(String sql) throws SQLException {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getInt(1);
    }
  }

  /** A connection on which auto_explain sends the plan of every statement, nested ones included, as a NOTICE. */
  private Connection explainingConnection() throws SQLException {
    Connection connection = database.connect();
    explain(connection);
    return connection;
  }

  private static void explain(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("LOAD 'auto_explain'");
      statement.execute("SET auto_explain.log_min_duration = 0");
      statement.execute("SET auto_explain.log_nested_statements = on");
      statement.execute("SET auto_explain.log_level = notice");
      statement.execute("SET auto_explain.log_format = text");
      statement.execute("SET client_min_messages = notice");
    }
  }

  private static String warnings(SQLWarning warning) {
    StringBuilder text = new StringBuilder();
    for (SQLWarning w = warning; w != null; w = w.getNextWarning()) {
      text.append(w.getMessage()).append('\n');
    }
    return text.toString();
  }

  /**
   * The pool, counting the statements prepared on its connections; while {@link #explaining}, each
   * connection has auto_explain on and each statement's notices go to {@link #plans}.
   */
  private DataSource counting(DataSource dataSource) {
    return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          Object result = invoke(method, dataSource, args);
          if (!(result instanceof Connection connection)) {
            return result;
          }
          if (explaining) {
            explain(connection);
          }
          return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
            Object made = invoke(m, connection, a);
            if (m.getName().equals("createStatement") || m.getName().equals("prepareCall")) {
              statements.incrementAndGet();
            }
            if (!m.getName().equals("prepareStatement")) {
              return made;
            }
            statements.incrementAndGet();
            PreparedStatement statement = (PreparedStatement) made;
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class}, (sp, sm, sa) -> {
              Object value = invoke(sm, statement, sa);
              if (explaining && sm.getName().startsWith("execute")) {
                plans.add(warnings(statement.getWarnings()));
              }
              return value;
            });
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
