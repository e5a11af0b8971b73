package dev.dispatcher.service.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.completion.ResultLimit;
import dev.dispatcher.service.storage.DurableTasks.ClaimedRow;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import dev.dispatcher.status.RequestPage;
import dev.dispatcher.status.RequestQuery;
import dev.dispatcher.status.RequestSummary;
import dev.dispatcher.status.TaskState;
import dev.dispatcher.status.TaskStatus;
import dev.dispatcher.wire.ResultNotices;
import dev.dispatcher.wire.WireFormat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Results, status and a client's requests on a real Postgres: what the completion writer, the
 * rescuer and a cancel write and notify on the results channel, and how {@link TaskRecords} reads
 * it back.
 */
@ExtendWith(PostgresExtension.class)
class PostgresTaskRecordsTest {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Set<String> TASKS = Set.of("app.a", "app.b");
  private static final String CHANNEL = ResultNotices.channel(SchemaName.DEFAULT);

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private FreshDatabase database;
  private HikariDataSource pool;
  private DurableTasks rows;
  private TaskRecords records;
  private Connection listener;

  @BeforeEach
  void freshDatabase(TestDatabase server) throws SQLException {
    database = FreshDatabase.on(server);
    pool = ConnectionPools.create(database.url(), "records-test", 4);
    PostgresStorage storage = new PostgresStorage(database.url(), SchemaName.of(SchemaName.DEFAULT), pool, "node-a");
    storage.migrateAtStart();
    rows = storage.durableTasks();
    records = storage.taskRecords();
    listener = database.connect();
    try (Statement listen = listener.createStatement()) {
      listen.execute("LISTEN " + CHANNEL);
    }
  }

  @AfterEach
  void dropIt() throws SQLException {
    listener.close();
    pool.close();
    database.close();
  }

  private String enqueue(String task, String optionsJson) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement enqueue = connection.prepareStatement("SELECT dispatcher.enqueue(?, 'jobs', '[1]', '{}', ?::jsonb)::text")) {
      enqueue.setString(1, task);
      enqueue.setString(2, optionsJson);
      try (ResultSet result = enqueue.executeQuery()) {
        result.next();
        return result.getString(1);
      }
    }
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

  private Map<String, ClaimedRow> claimAll() throws SQLException {
    Map<String, ClaimedRow> claimed = new java.util.HashMap<>();
    for (ClaimedRow row : rows.claim("jobs", TASKS, 10_000, "node-a", LEASE)) {
      claimed.put(row.uuid(), row);
    }
    return claimed;
  }

  /** The payloads notified on the results channel so far (each read once). */
  private final List<String> payloads = new ArrayList<>();

  private List<String> notified() throws SQLException {
    PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(100);
    if (received != null) {
      for (PGNotification notification : received) {
        assertThat(notification.getName()).isEqualTo(CHANNEL);
        payloads.add(notification.getParameter());
      }
    }
    List<String> uuids = new ArrayList<>();
    payloads.forEach(payload -> uuids.addAll(ResultNotices.uuids(payload)));
    return uuids;
  }

  @Test
  void aCompletedTaskHasItsStatusResultAndSizeAndItsUuidIsNotifiedAtTheCommit() throws Exception {
    String uuid = enqueue("app.a", "{\"client\": \"shop\", \"max_attempts\": 3}");
    ClaimedRow row = claimAll().get(uuid);
    assertThat(records.status(uuid)).get().satisfies(status -> {
      assertThat(status.state()).isEqualTo(TaskState.RUNNING);
      assertThat(status.isFinished()).isFalse();
      assertThat(status.startedAt()).isNotNull();
      assertThat(status.node()).isEqualTo("node-a");
    });
    ResultLimit.Kept kept = new ResultLimit(mapper, 64).of(Map.of("width", 640));

    assertThat(rows.complete(List.of(new Completion.Completed(row.id(), row.attempt(), kept.json(), kept.bytes(), kept.omitted()))))
        .isEqualTo(1);

    TaskStatus status = records.status(uuid).orElseThrow();
    assertThat(status.uuid()).isEqualTo(uuid);
    assertThat(status.task()).isEqualTo("app.a");
    assertThat(status.channel()).isEqualTo("jobs");
    assertThat(status.client()).isEqualTo("shop");
    assertThat(status.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(status.attempt()).isEqualTo(1);
    assertThat(status.maxAttempts()).isEqualTo(3);
    assertThat(status.createdAt()).isBeforeOrEqualTo(status.startedAt());
    assertThat(status.finishedAt()).isAfterOrEqualTo(status.startedAt());
    assertThat(status.result()).isEqualTo(mapper.readTree("{\"width\": 640}"));
    assertThat(status.resultBytes()).isEqualTo("{\"width\":640}".length());
    assertThat(status.resultOmitted()).isNull();
    assertThat(status.errors()).isEmpty();
    assertThat(column(uuid, "message -> 'client' IS NULL")).as("client is a column, not a message key").isEqualTo("true");
    await().atMost(Duration.ofSeconds(10)).until(() -> notified().contains(uuid));
    assertThat(payloads).containsExactly(uuid);
  }

  @Test
  void failedAttemptsAreTheStatusErrorsAndTheRetryIsNotNotifiedTheDeadLetterIs() throws Exception {
    String uuid = enqueue("app.a", "{\"max_attempts\": 2}");
    ClaimedRow first = claimAll().get(uuid);
    rows.complete(List.of(new Completion.Retry(first.id(), 1, Instant.now().minusSeconds(1),
        "{\"at\": \"2025-01-01T10:00:00Z\", \"attempt\": 1, \"node\": \"node-a\", \"kind\": \"failed\", \"error\": \"boom 1\"}")));
    ClaimedRow second = claimAll().get(uuid);
    rows.complete(List.of(new Completion.Failed(second.id(), 2,
        "{\"at\": \"2025-01-01T10:00:05Z\", \"attempt\": 2, \"node\": \"node-b\", \"kind\": \"timed_out\", \"error\": \"boom 2\", \"stack\": \"at x\"}")));

    TaskStatus status = records.status(uuid).orElseThrow();

    assertThat(status.state()).isEqualTo(TaskState.FAILED);
    assertThat(status.errorCount()).isEqualTo(2);
    assertThat(status.errors()).extracting(error -> error.attempt() + " " + error.node() + " " + error.kind() + " " + error.error())
        .containsExactly("1 node-a failed boom 1", "2 node-b timed_out boom 2");
    assertThat(status.lastError().at()).isEqualTo(Instant.parse("2025-01-01T10:00:05Z"));
    assertThat(status.lastError().stack()).isEqualTo("at x");
    await().atMost(Duration.ofSeconds(10)).until(() -> notified().contains(uuid));
    assertThat(payloads).as("the retry finished nothing: one notification, for the dead letter").containsExactly(uuid);
  }

  @Test
  void aStatusCarriesTheLastHundredErrorsAndCountsThemAll() throws Exception {
    String uuid = enqueue("app.a", "{}");
    StringBuilder errors = new StringBuilder("[");
    for (int attempt = 1; attempt <= 150; attempt++) {
      errors.append(attempt == 1 ? "" : ",").append("{\"attempt\": ").append(attempt).append(", \"error\": \"e").append(attempt).append("\"}");
    }
    database.execute("UPDATE dispatcher.tasks SET errors = '" + errors.append(']') + "' WHERE uuid = '" + uuid + "'");

    TaskStatus status = records.status(uuid).orElseThrow();

    assertThat(status.errorCount()).isEqualTo(150);
    assertThat(status.errors()).hasSize(TaskStatus.MAX_ERRORS);
    assertThat(status.errors().get(0).attempt()).isEqualTo(51);
    assertThat(status.lastError().error()).isEqualTo("e150");
  }

  @Test
  void noRowIsAnEmptyStatusAndATextThatIsNoUuidIsRefused() throws Exception {
    assertThat(records.status(UUID.randomUUID().toString())).isEmpty();
    assertThatThrownBy(() -> records.status("'; DROP TABLE dispatcher.tasks; --")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a uuid");
  }

  /**
   * A result whose JSON holds {@code \u0000} used to be written as jsonb, which Postgres refuses: the
   * whole batch of outcomes failed, and was retried every second, for ever. Now it is not kept, the
   * row says why, and the batch goes in.
   */
  @Test
  void aResultPostgresCannotStoreIsOmittedAndTheBatchGoesIn() throws Exception {
    String nul = enqueue("app.a", "{}");
    String other = enqueue("app.a", "{}");
    Map<String, ClaimedRow> claimed = claimAll();
    ResultLimit limit = new ResultLimit(mapper, 64);
    ResultLimit.Kept withNul = limit.of("a\u0000b");
    ResultLimit.Kept plain = limit.of("fine");

    int written = rows.complete(List.of(
        new Completion.Completed(claimed.get(nul).id(), 1, withNul.json(), withNul.bytes(), withNul.omitted()),
        new Completion.Completed(claimed.get(other).id(), 1, plain.json(), plain.bytes(), plain.omitted())));

    assertThat(written).isEqualTo(2);
    TaskStatus status = records.status(nul).orElseThrow();
    assertThat(status.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(status.result()).isNull();
    assertThat(status.resultOmitted()).contains("\\u0000");
    assertThat(records.status(other).orElseThrow().result().asText()).isEqualTo("fine");
  }

  @Test
  void aResultLargerThanTheLimitIsNotKeptItsSizeIs() throws Exception {
    String uuid = enqueue("app.a", "{}");
    ClaimedRow row = claimAll().get(uuid);
    ResultLimit.Kept kept = new ResultLimit(mapper, 1).of("x".repeat(2000));

    rows.complete(List.of(new Completion.Completed(row.id(), 1, kept.json(), kept.bytes(), kept.omitted())));

    TaskStatus status = records.status(uuid).orElseThrow();
    assertThat(status.result()).isNull();
    assertThat(status.resultBytes()).isEqualTo(2002);
    assertThat(status.resultOmitted()).isEqualTo("2002 bytes of JSON, more than durable.max_result_kib (1 KiB)");
  }

  @Test
  void aBatchOfFiveHundredFinishedRowsIsNotifiedInPayloadsUnder8000Bytes() throws Exception {
    List<String> uuids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      uuids.add(enqueue(i % 2 == 0 ? "app.a" : "app.b", "{}"));
    }
    Map<String, ClaimedRow> claimed = claimAll();
    List<Completion> batch = new ArrayList<>();
    for (int i = 0; i < uuids.size(); i++) {
      ClaimedRow row = claimed.get(uuids.get(i));
      batch.add(i % 5 == 0 ? new Completion.Cancelled(row.id(), 1) : new Completion.Completed(row.id(), 1, "\"r" + i + "\"", 4, null));
    }

    assertThat(rows.complete(batch)).isEqualTo(500);

    await().atMost(Duration.ofSeconds(10)).until(() -> notified().size() == 500);
    assertThat(new HashSet<>(notified())).containsExactlyInAnyOrderElementsOf(uuids);
    assertThat(payloads).as("216 uuids of 36 bytes and their commas fit under 8000 bytes").hasSize(3)
        .allSatisfy(payload -> assertThat(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(8000));
    assertThat(payloads.get(0).split(",")).hasSize(216);
  }

  @Test
  void theRescuerNotifiesTheRowsItFailsForGoodAndACancelTheRowsItCancels() throws Exception {
    String last = enqueue("app.a", "{\"max_attempts\": 1}");
    String again = enqueue("app.a", "{\"max_attempts\": 5}");
    rows.claim("jobs", TASKS, 10, "node-a", Duration.ofMillis(1));
    String waiting = enqueue("app.b", "{\"delay\": 60}");
    await().atMost(Duration.ofSeconds(10)).until(() -> rows.rescueExpired(10).size() == 2);

    assertThat(rows.cancelWaiting(waiting, null, 10).listed()).extracting(DurableTasks.CancelledRow::uuid).containsExactly(waiting);

    await().atMost(Duration.ofSeconds(10)).until(() -> notified().size() == 2);
    assertThat(notified()).containsExactlyInAnyOrder(last, waiting);
    assertThat(records.status(last).orElseThrow().state()).isEqualTo(TaskState.FAILED);
    assertThat(records.status(again).orElseThrow().state()).isEqualTo(TaskState.RETRYABLE);
    assertThat(records.status(waiting).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
  }

  @Test
  void aCancelOfManyRowsNotifiesEveryOneInNotificationsUnderTheLimitAndListsOnlyTheFirst() throws Exception {
    List<String> waiting = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      waiting.add(enqueue("app.b", "{\"delay\": 60}"));
    }

    DurableTasks.CancelledRows cancelled = rows.cancelWaiting(null, "app.b", 5);

    assertThat(cancelled.count()).isEqualTo(450);
    assertThat(cancelled.listed()).extracting(DurableTasks.CancelledRow::uuid).containsExactlyElementsOf(waiting.subList(0, 5));
    await().atMost(Duration.ofSeconds(10)).until(() -> notified().size() == 450);
    assertThat(notified()).containsExactlyInAnyOrderElementsOf(waiting);
    assertThat(payloads).hasSize(3).allSatisfy(payload -> assertThat(payload.length()).isLessThan(8000));
  }

  @Test
  void aCompletionInTheTasksTransactionIsNotifiedAtItsCommitOnly() throws Exception {
    String rolledBack = enqueue("app.a", "{}");
    String committed = enqueue("app.a", "{}");
    Map<String, ClaimedRow> claimed = claimAll();
    try (Connection transaction = database.connect()) {
      transaction.setAutoCommit(false);
      assertThat(rows.completeIn(transaction, new Completion.Completed(claimed.get(rolledBack).id(), 1, "1", 1, null))).isTrue();
      transaction.rollback();
      assertThat(rows.completeIn(transaction, new Completion.Completed(claimed.get(committed).id(), 1, "2", 1, null))).isTrue();
      transaction.commit();
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> notified().contains(committed));
    assertThat(notified()).containsExactly(committed);
    assertThat(records.status(committed).orElseThrow().result().asInt()).isEqualTo(2);
    assertThat(records.status(rolledBack).orElseThrow().state()).isEqualTo(TaskState.RUNNING);
  }

  @Test
  void aRecordedRunIsAFinishedRowOnceAndNotified() throws Exception {
    String uuid = UUID.randomUUID().toString();
    Instant created = Instant.parse("2025-01-01T10:00:00.123456Z");
    Completion.Recorded recorded = new Completion.Recorded(uuid, "app.fire", "events", "shop", "failed", created,
        created.plusMillis(5), "node-a", null, null, null, "{\"attempt\": 1, \"kind\": \"failed\", \"error\": \"no\"}");

    assertThat(rows.complete(List.of(recorded))).isEqualTo(1);
    assertThat(rows.complete(List.of(recorded))).as("a second time: left out, not a lost lease").isEqualTo(1);

    TaskStatus status = records.status(uuid).orElseThrow();
    assertThat(status.state()).isEqualTo(TaskState.FAILED);
    assertThat(status.task()).isEqualTo("app.fire");
    assertThat(status.channel()).isEqualTo("events");
    assertThat(status.client()).isEqualTo("shop");
    assertThat(status.attempt()).isEqualTo(1);
    assertThat(status.maxAttempts()).isEqualTo(1);
    assertThat(status.createdAt()).isEqualTo(created);
    assertThat(status.startedAt()).isEqualTo(created.plusMillis(5));
    assertThat(status.node()).isEqualTo("node-a");
    assertThat(status.lastError().error()).isEqualTo("no");
    await().atMost(Duration.ofSeconds(10)).until(() -> notified().contains(uuid));
    assertThat(payloads).as("the duplicate is not notified again").containsExactly(uuid);
  }

  @Test
  void aClientsRequestsComeNewestFirstAPageAtATimeByCursor() throws Exception {
    List<String> shop = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      shop.add(enqueue(i % 3 == 0 ? "app.b" : "app.a", "{\"client\": \"shop\"}"));
      enqueue("app.a", "{\"client\": \"other\"}");
    }
    // rows of one transaction share created_at: the row id orders them
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT u::text FROM dispatcher.enqueue_many('[{\"task\": \"app.a\", \"channel\": \"jobs\","
            + " \"client\": \"shop\"}, {\"task\": \"app.a\", \"channel\": \"jobs\", \"client\": \"shop\"}]') AS u")) {
      while (result.next()) {
        shop.add(result.getString(1));
      }
    }
    List<String> newestFirst = new ArrayList<>(shop);
    java.util.Collections.reverse(newestFirst);

    List<String> listed = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    RequestPage page = records.requests(RequestQuery.of("shop", 10));
    while (true) {
      sizes.add(page.requests().size());
      page.requests().forEach(request -> listed.add(request.uuid()));
      if (!page.hasMore()) {
        break;
      }
      page = records.requests(RequestQuery.of("shop", 10).after(page.nextCursor()));
    }

    assertThat(sizes).containsExactly(10, 10, 7);
    assertThat(listed).containsExactlyElementsOf(newestFirst);
    RequestSummary newest = records.requests(RequestQuery.of("shop", 1)).requests().get(0);
    assertThat(newest.state()).isEqualTo(TaskState.AVAILABLE);
    assertThat(newest.finishedAt()).isNull();
    assertThat(newest.task()).isEqualTo("app.a");
    assertThat(records.requests(RequestQuery.of("shop", 1000).ofTask("app.b")).requests()).extracting(RequestSummary::uuid)
        .containsExactlyElementsOf(newestFirst.stream().filter(u -> shop.indexOf(u) < 25 && shop.indexOf(u) % 3 == 0).toList());
    assertThat(records.requests(RequestQuery.of("shop", 1000).inState(TaskState.COMPLETED)).requests()).isEmpty();
    assertThat(records.requests(RequestQuery.of("nobody", 10))).satisfies(empty -> {
      assertThat(empty.requests()).isEmpty();
      assertThat(empty.hasMore()).isFalse();
    });
  }

  @Test
  void aPageIsBoundedAndACursorIsCheckedAndTheListingWalksTheClientIndex() throws Exception {
    assertThatThrownBy(() -> RequestQuery.of("shop", 0)).hasMessageContaining("limit must be from 1 to 1000");
    assertThatThrownBy(() -> RequestQuery.of("shop", 1001)).hasMessageContaining("limit must be from 1 to 1000");
    assertThatThrownBy(() -> RequestQuery.of("shop", 10).after("bm90IGEgY3Vyc29y")).hasMessageContaining("is not one a page");
    assertThatThrownBy(() -> RequestQuery.of(" ", 10)).hasMessageContaining("client must be 1 to 100 characters");
    assertThatThrownBy(() -> RequestQuery.of("x".repeat(101), 10)).hasMessageContaining("client must be 1 to 100 characters");

    database.execute("INSERT INTO dispatcher.tasks (uuid, task, channel, client, created_at) SELECT gen_random_uuid(), 'app.a', 'jobs',"
        + " 'c' || (n % 100), now() - n * interval '1 second' FROM generate_series(1, 20000) AS n", "ANALYZE dispatcher.tasks");
    RequestPage first = records.requests(RequestQuery.of("c7", 50));
    String plan;
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("EXPLAIN SELECT id, uuid, task, state, created_at, finished_at FROM dispatcher.tasks WHERE client = 'c7' AND (created_at, id) <"
            + " (now(), 0) ORDER BY created_at DESC, id DESC LIMIT 51")) {
      StringBuilder text = new StringBuilder();
      while (result.next()) {
        text.append(result.getString(1)).append('\n');
      }
      plan = text.toString();
    }

    assertThat(first.requests()).hasSize(50);
    assertThat(records.requests(RequestQuery.of("c7", 1000)).requests()).hasSize(200);
    assertThat(plan).as("the cursor is an index condition: a page costs its rows, however deep").contains("Index Scan Backward using tasks_client")
        .contains("ROW(created_at, id) < ROW(").doesNotContain("Sort");
  }

  @Test
  void theSqlApiTakesAClientAndRefusesABadOne() throws Exception {
    String uuid = enqueue("app.a", "{\"client\": \"shop\"}");
    assertThat(column(uuid, "client")).isEqualTo("shop");
    assertThat(column(enqueue("app.a", "{\"client\": null}"), "client")).isNull();

    for (String bad : List.of("{\"client\": \"\"}", "{\"client\": 7}", "{\"client\": \"" + "x".repeat(101) + "\"}")) {
      assertThatThrownBy(() -> enqueue("app.a", bad)).isInstanceOf(SQLException.class)
          .hasMessageContaining("client must be a string of 1 to 100 characters")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22023"));
    }
  }
}
