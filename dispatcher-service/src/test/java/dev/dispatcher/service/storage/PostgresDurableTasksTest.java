package dev.dispatcher.service.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.storage.DurableTasks.ClaimedRow;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The durable table's repository on a real Postgres, through the schema's migrations and its SQL API. */
@ExtendWith(PostgresExtension.class)
class PostgresDurableTasksTest {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Set<String> TASKS = Set.of("app.a", "app.b");

  private FreshDatabase database;
  private HikariDataSource pool;
  private DurableTasks rows;

  @BeforeEach
  void freshDatabase(TestDatabase server) throws SQLException {
    database = FreshDatabase.on(server);
    pool = ConnectionPools.create(database.url(), "durable-test", 4);
    PostgresStorage storage = new PostgresStorage(database.url(), SchemaName.of(SchemaName.DEFAULT), pool, "node-a");
    storage.migrateAtStart();
    rows = storage.durableTasks();
  }

  @AfterEach
  void dropIt() throws SQLException {
    pool.close();
    database.close();
  }

  private String enqueue(String task, String channel, String optionsJson) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement enqueue = connection.prepareStatement("SELECT dispatcher.enqueue(?, ?, '[1]', '{}', ?::jsonb)::text")) {
      enqueue.setString(1, task);
      enqueue.setString(2, channel);
      enqueue.setString(3, optionsJson);
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

  @Test
  void progressGoesToRunningRowsOfTheSameAttemptOnly() throws Exception {
    String uuid = enqueue("app.a", "emails", "{}");
    String finished = enqueue("app.b", "emails", "{}");
    List<ClaimedRow> claimed = rows.claim("emails", TASKS, 10, "node-a", LEASE);
    ClaimedRow running = claimed.stream().filter(row -> row.uuid().equals(uuid)).findFirst().orElseThrow();
    ClaimedRow done = claimed.stream().filter(row -> row.uuid().equals(finished)).findFirst().orElseThrow();
    rows.complete(List.of(new Completion.Completed(done.id(), done.attempt(), "null")));

    int written = rows.writeProgress(List.of(new DurableTasks.ProgressUpdate(running.id(), running.attempt(), 0.25, "a quarter"),
        new DurableTasks.ProgressUpdate(done.id(), done.attempt(), 0.5, "too late")));

    assertThat(written).as("the finished row takes none").isEqualTo(1);
    assertThat(column(uuid, "progress || ' ' || progress_note")).isEqualTo("0.25 a quarter");
    assertThat(column(finished, "progress")).isNull();
    assertThat(rows.writeProgress(List.of(new DurableTasks.ProgressUpdate(running.id(), running.attempt() + 1, 0.9, "another attempt"))))
        .as("fenced by the attempt").isZero();
    assertThat(column(uuid, "progress")).isEqualTo("0.25");
  }

  @Test
  void aClaimTakesDueRowsOfItsChannelAndTasksByPriorityThenAge() throws Exception {
    String old = enqueue("app.a", "emails", "{}");
    String urgent = enqueue("app.a", "emails", "{\"priority\": 5}");
    String young = enqueue("app.b", "emails", "{}");
    enqueue("app.a", "other", "{}");
    enqueue("app.unknown", "emails", "{}");
    enqueue("app.a", "emails", "{\"delay\": 60}");

    List<ClaimedRow> claimed = rows.claim("emails", TASKS, 10, "node-a", LEASE);

    assertThat(claimed).extracting(ClaimedRow::uuid).containsExactly(urgent, old, young);
    assertThat(claimed).allSatisfy(row -> assertThat(row.attempt()).isEqualTo(1));
    assertThat(column(old, "state || ' ' || attempted_by")).isEqualTo("running node-a");
    assertThat(column(old, "lease_until > now() + interval '25 seconds'")).isEqualTo("true");
    assertThat(rows.claim("emails", TASKS, 10, "node-b", LEASE)).as("nothing due is left").isEmpty();
  }

  @Test
  void aRowWithAUuidAlreadyEnqueuedDoesNotGoInTwice() throws Exception {
    String row = "{\"uuid\": \"6f9619ff-8b86-4011-b42d-00c04fc964ff\", \"task\": \"app.a\", \"channel\": \"emails\", \"args\": [2]}";
    assertThat(rows.enqueue(row)).isTrue();
    assertThat(rows.enqueue(row)).isFalse();
    assertThat(rows.claim("emails", TASKS, 10, "node-a", LEASE)).extracting(ClaimedRow::argsJson).containsExactly("[2]");
  }

  @Test
  void twoNodesNeverClaimTheSameRow() throws Exception {
    List<String> enqueued = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      enqueued.add(enqueue("app.a", "emails", "{}"));
    }
    List<String> claimedByA = new ArrayList<>();
    List<String> claimedByB = new ArrayList<>();
    Thread a = Thread.ofPlatform().start(() -> claimAll("node-a", claimedByA));
    Thread b = Thread.ofPlatform().start(() -> claimAll("node-b", claimedByB));
    a.join();
    b.join();

    List<String> all = new ArrayList<>(claimedByA);
    all.addAll(claimedByB);
    assertThat(all).hasSize(200).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(enqueued);
  }

  private void claimAll(String node, List<String> into) {
    try {
      List<ClaimedRow> batch;
      do {
        batch = rows.claim("emails", TASKS, 7, node, LEASE);
        batch.forEach(row -> into.add(row.uuid()));
      } while (!batch.isEmpty());
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aClaimsUnflushedCommitStaysInItsOwnTransactionNotOnThePooledConnection() throws Exception {
    // the claims commit with synchronous_commit off; a completion on the same pooled connection
    // afterwards must still wait for its flush. The test server may run with it off altogether.
    try (Connection connection = database.connect(); Statement alter = connection.createStatement()) {
      alter.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', current_database()); END $$");
    }
    for (int i = 0; i < 8; i++) {
      enqueue(i % 2 == 0 ? "app.a" : "app.b", "emails", "{}");
    }
    try (HikariDataSource flushing = ConnectionPools.create(database.url(), "durable-test-flushing", 2)) {
      DurableTasks claims = new PostgresStorage(database.url(), SchemaName.of(SchemaName.DEFAULT), flushing, "node-a").durableTasks();
      assertThat(synchronousCommitOn(flushing)).as("before any claim").containsExactly("on", "on");
      assertThat(claims.claim("emails", Set.of("app.b"), 3, "node-a", LEASE)).hasSize(3);
      assertThat(claims.claimLimited("emails", Map.of("app.a", 2), 3, "node-a", LEASE).rows()).hasSize(2);
      assertThat(claims.claim("emails", TASKS, 10, "node-a", LEASE)).hasSize(3);
      assertThat(synchronousCommitOn(flushing)).as("after the claims, on whichever connection made them").containsExactly("on", "on");
    }
  }

  /** synchronous_commit on each of the pool's two connections, held at once. */
  private static List<String> synchronousCommitOn(HikariDataSource pool) throws SQLException {
    List<String> settings = new ArrayList<>();
    try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
      for (Connection connection : List.of(first, second)) {
        try (PreparedStatement show = connection.prepareStatement("SHOW synchronous_commit"); ResultSet setting = show.executeQuery()) {
          setting.next();
          settings.add(setting.getString(1));
        }
      }
    }
    return settings;
  }

  @Test
  void aLimitedClaimTakesAtMostWhatTheLimitLeavesOfTheRowsRunningOnEveryNode() throws Exception {
    List<String> limited = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      limited.add(enqueue("app.a", "emails", "{}"));
    }
    String urgent = enqueue("app.b", "emails", "{\"priority\": 9}");
    enqueue("app.a", "other", "{}");

    DurableTasks.LimitedClaim first = rows.claimLimited("emails", Map.of("app.a", 2), 10, "node-a", LEASE);
    assertThat(first.rows()).extracting(ClaimedRow::uuid).containsExactly(limited.get(0), limited.get(1));
    assertThat(first.atLimit()).as("more rows wait than the limit let in").isTrue();
    DurableTasks.LimitedClaim second = rows.claimLimited("emails", Map.of("app.a", 2), 10, "node-b", LEASE);
    assertThat(second.rows()).as("node-a runs two already").isEmpty();
    assertThat(second.atLimit()).isTrue();

    rows.complete(List.of(new Completion.Completed(first.rows().get(0).id(), 1, null)));
    assertThat(rows.claimLimited("emails", Map.of("app.a", 2), 10, "node-b", LEASE).rows()).extracting(ClaimedRow::uuid)
        .containsExactly(limited.get(2));
    assertThat(rows.claimLimited("emails", Map.of("app.a", 3, "app.b", 1), 10, "node-b", LEASE).rows())
        .as("several tasks in one claim, in priority order, each up to its own limit").extracting(ClaimedRow::uuid)
        .containsExactly(urgent, limited.get(3));
    assertThat(column(limited.get(4), "state")).isEqualTo("available");
    DurableTasks.LimitedClaim last = rows.claimLimited("emails", Map.of("app.a", 10), 1, "node-b", LEASE);
    assertThat(last.rows()).as("at most max").extracting(ClaimedRow::uuid).containsExactly(limited.get(4));
    assertThat(rows.claimLimited("emails", Map.of("app.a", 10), 10, "node-b", LEASE))
        .as("nothing left: nothing held back").isEqualTo(new DurableTasks.LimitedClaim(List.of(), false));
  }

  @Test
  void nodesClaimingALimitedTaskAtOnceNeverTakeMoreThanItsLimit() throws Exception {
    for (int i = 0; i < 60; i++) {
      enqueue("app.a", "emails", "{}");
    }
    List<String> claimed = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> nodes = new ArrayList<>();
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(4);
    for (int n = 0; n < 4; n++) {
      String node = "node-" + n;
      nodes.add(Thread.ofPlatform().start(() -> {
        try {
          together.await();
          for (int round = 0; round < 25; round++) {
            rows.claimLimited("emails", Map.of("app.a", 3), 2, node, LEASE).rows().forEach(row -> claimed.add(row.uuid()));
          }
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }));
    }
    for (Thread node : nodes) {
      node.join();
    }
    assertThat(claimed).hasSize(3).doesNotHaveDuplicates();
    assertThat(rows.countByState()).containsEntry("running", 3L).containsEntry("available", 57L);
  }

  @Test
  void aLimitedTaskAnotherNodeIsClaimingIsSkippedNotWaitedFor() throws Exception {
    enqueue("app.a", "emails", "{}");
    String other = enqueue("app.b", "emails", "{}");
    long key = ((PostgresDurableTasks) rows).concurrencyKey("app.a");
    assertThat(key).as("stable: the same for every daemon of the schema").isEqualTo(((PostgresDurableTasks) rows).concurrencyKey("app.a"))
        .isNotEqualTo(((PostgresDurableTasks) rows).concurrencyKey("app.b"));
    try (Connection node = database.connect()) {
      node.setAutoCommit(false);
      try (PreparedStatement lock = node.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, key);
        lock.executeQuery().close();
      }
      DurableTasks.LimitedClaim claim = rows.claimLimited("emails", Map.of("app.a", 5, "app.b", 5), 10, "node-a", LEASE);
      node.rollback();

      assertThat(claim.rows()).extracting(ClaimedRow::uuid).containsExactly(other);
      assertThat(claim.atLimit()).as("app.a may wait: claim again soon").isTrue();
    }
    assertThat(rows.claimLimited("emails", Map.of("app.a", 5), 10, "node-a", LEASE).rows()).hasSize(1);
  }

  @Test
  void outcomesAreWrittenInOneBatchAndFencedByTheAttempt() throws Exception {
    String done = enqueue("app.a", "emails", "{}");
    String retried = enqueue("app.a", "emails", "{}");
    String dead = enqueue("app.a", "emails", "{}");
    String released = enqueue("app.a", "emails", "{}");
    Map<String, ClaimedRow> claimed = byUuid(rows.claim("emails", TASKS, 10, "node-a", LEASE));

    int written = rows.complete(List.of(
        new Completion.Completed(claimed.get(done).id(), 1, "{\"answer\": 42}"),
        new Completion.Retry(claimed.get(retried).id(), 1, Instant.now().plusSeconds(30), "{\"error\": \"boom\"}"),
        new Completion.Failed(claimed.get(dead).id(), 1, "{\"error\": \"gone\"}"),
        new Completion.Released(claimed.get(released).id(), 1, "node-a"),
        new Completion.Completed(claimed.get(done).id(), 2, null))); // a stale attempt: fenced out

    assertThat(written).isEqualTo(4);
    assertThat(column(done, "state || ' ' || result::text")).isEqualTo("completed {\"answer\": 42}");
    assertThat(column(retried, "state || ' ' || jsonb_array_length(errors)")).isEqualTo("retryable 1");
    assertThat(column(retried, "run_at > now() + interval '25 seconds'")).isEqualTo("true");
    assertThat(column(dead, "state || ' ' || (errors->0->>'error')")).isEqualTo("failed gone");
    assertThat(column(released, "state || ' ' || attempt")).as("a release does not count the attempt").isEqualTo("available 0");
    assertThat(rows.complete(List.of(new Completion.Completed(claimed.get(done).id(), 1, null))))
        .as("a finished row takes no second outcome").isZero();
  }

  /**
   * BUG: on a table the planner has no statistics of (autovacuum off, a fresh backlog), an outcome
   * batch was planned as 100 outcomes against few running rows: every outcome was compared with
   * every running row of a materialized scan (1,000 of each: 500,000 comparisons, 118 ms), instead
   * of a lookup by the primary key (19 ms). The daemon prepares the statement, so after five runs
   * it gets the generic plan; both plans are checked.
   */
  @Test
  void anOutcomeBatchLooksEachRowUpByItsPrimaryKeyOnATableNeverAnalyzed() throws Exception {
    database.execute("ALTER TABLE dispatcher.tasks SET (autovacuum_enabled = false)",
        "INSERT INTO dispatcher.tasks (uuid, task, channel, args) SELECT gen_random_uuid(), 'app.a', 'emails', jsonb_build_array(n)"
            + " FROM generate_series(1, 20000) AS n",
        "UPDATE dispatcher.tasks SET state = 'running', attempt = 1, attempted_by = 'node-a', lease_until = now() + interval '1 minute'"
            + " WHERE id <= 1000");
    String sql = ((PostgresDurableTasks) rows).outcomeSql(2, "state = 'cancelled', finished_at = now(), lease_until = NULL", "", true);
    for (int n = 1; sql.contains("?"); n++) {
      sql = sql.replaceFirst("\\?", "\\$" + n);
    }
    StringBuilder ids = new StringBuilder("'{1");
    for (int id = 2; id <= 1000; id++) {
      ids.append(',').append(id);
    }
    ids.append("}'");
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      statement.execute(PostgresDurableTasks.BATCH_PLAN_SETTINGS);
      statement.execute("PREPARE outcomes (bigint[], integer[]) AS " + sql);
      for (String mode : List.of("force_generic_plan", "force_custom_plan")) {
        statement.execute("SET LOCAL plan_cache_mode = " + mode);
        StringBuilder plan = new StringBuilder();
        try (ResultSet lines = statement.executeQuery("EXPLAIN (COSTS OFF) EXECUTE outcomes(" + ids + ", array_fill(1, ARRAY[1000]))")) {
          while (lines.next()) {
            plan.append(lines.getString(1)).append('\n');
          }
        }
        assertThat(plan.toString()).as("%s:%n%s", mode, plan).contains("Index Scan using tasks_pkey on tasks t")
            .doesNotContain("Join Filter", "Materialize", "Seq Scan", "Hash", "Bitmap");
      }
      connection.rollback();
    }

    List<Completion> cancelled = new ArrayList<>();
    for (long id = 1; id <= 1000; id++) {
      cancelled.add(new Completion.Cancelled(id, 1));
    }
    assertThat(rows.complete(cancelled)).isEqualTo(1000);
    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery("SELECT count(*) FROM dispatcher.tasks WHERE state = 'cancelled'")) {
      count.next();
      assertThat(count.getLong(1)).isEqualTo(1000);
    }
  }

  /**
   * BUG: a release gives the attempt number back (the row is available at attempt 0 again), so a
   * release written twice (a batch replayed after an unanswered COMMIT) matched another node's
   * claim of the row, at attempt 1 again, and took the row from it.
   */
  @Test
  void aReleaseWrittenAgainDoesNotTakeTheRowFromTheNodeThatClaimedItSince() throws Exception {
    String uuid = enqueue("app.a", "emails", "{}");
    ClaimedRow first = rows.claim("emails", TASKS, 10, "node-a", LEASE).get(0);
    Completion.Released release = new Completion.Released(first.id(), first.attempt(), "node-a");
    assertThat(rows.complete(List.of(release))).isEqualTo(1);
    ClaimedRow second = rows.claim("emails", TASKS, 10, "node-b", LEASE).get(0);
    assertThat(second.attempt()).as("the same attempt number again").isEqualTo(first.attempt());

    assertThat(rows.complete(List.of(release))).as("the release written again").isZero();

    assertThat(column(uuid, "state || ' ' || attempted_by || ' ' || attempt")).isEqualTo("running node-b 1");
    assertThat(rows.complete(List.of(new Completion.Released(second.id(), second.attempt(), "node-b")))).isEqualTo(1);
  }

  @Test
  void aTransactionsStateIsLookedUpByItsId() throws Exception {
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      long committed = transactionId(connection);
      connection.commit();
      long aborted = transactionId(connection);
      connection.rollback();
      long open = transactionId(connection);

      assertThat(rows.commitState(committed)).isEqualTo(DurableTasks.CommitState.COMMITTED);
      assertThat(rows.commitState(aborted)).isEqualTo(DurableTasks.CommitState.ABORTED);
      assertThat(rows.commitState(open)).isEqualTo(DurableTasks.CommitState.IN_PROGRESS);
      assertThat(rows.commitState(open + 1_000_000)).as("not a transaction of this server").isEqualTo(DurableTasks.CommitState.UNKNOWN);
      connection.rollback();
    }
  }

  private static long transactionId(Connection connection) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT pg_current_xact_id()::text"); ResultSet id = select.executeQuery()) {
      id.next();
      return Long.parseLong(id.getString(1));
    }
  }

  @Test
  void expiredLeasesAreRescuedToRetryableOrFailedOnTheLastAttempt() throws Exception {
    String again = enqueue("app.a", "emails", "{}");
    String last = enqueue("app.a", "emails", "{\"max_attempts\": 1}");
    String alive = enqueue("app.b", "emails", "{}");
    rows.claim("emails", Set.of("app.a"), 10, "node-a", Duration.ofMillis(1));
    Map<String, ClaimedRow> held = byUuid(rows.claim("emails", Set.of("app.b"), 10, "node-b", LEASE));
    database.execute("SELECT pg_sleep(0.01)");

    List<DurableTasks.Rescued> rescued = rows.rescueExpired(100);

    assertThat(rescued).extracting(DurableTasks.Rescued::uuid).containsExactlyInAnyOrder(again, last);
    assertThat(column(again, "state || ' ' || (errors->0->>'node')")).isEqualTo("retryable node-a");
    assertThat(column(last, "state")).isEqualTo("failed");
    assertThat(column(alive, "state")).isEqualTo("running");
    assertThat(rows.extendLeases(List.of(held.get(alive).id()), "node-b", LEASE)).isEqualTo(1);
    assertThat(rows.extendLeases(List.of(held.get(alive).id()), "node-a", LEASE)).as("another node's lease").isZero();
    assertThat(rows.claim("emails", TASKS, 10, "node-b", LEASE)).extracting(ClaimedRow::uuid, ClaimedRow::attempt)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(again, 2));
  }

  /** BUG: the heartbeat waited for rows the completion writer had locked, and deadlocked with it; then, skipping them, reported them lost. */
  @Test
  void aLeaseExtensionSkipsARowAnotherTransactionHoldsAndStillCountsItHeld() throws Exception {
    enqueue("app.a", "emails", "{}");
    enqueue("app.a", "emails", "{}");
    List<ClaimedRow> claimed = rows.claim("emails", TASKS, 10, "node-a", LEASE);
    try (Connection writer = database.connect()) {
      writer.setAutoCommit(false);
      try (PreparedStatement lock = writer.prepareStatement("SELECT id FROM dispatcher.tasks WHERE id = ? FOR UPDATE")) {
        lock.setLong(1, claimed.get(0).id());
        lock.executeQuery().close();
      }
      Set<Long> held = rows.extendLeasesOf(claimed.stream().map(ClaimedRow::id).toList(), "node-a", LEASE);
      writer.rollback();

      assertThat(held).containsExactlyInAnyOrder(claimed.get(0).id(), claimed.get(1).id());
    }
  }

  @Test
  void rowsNotClaimedYetAreCancelledByUuidOrTaskAndFailedOnesRetriedOrDiscarded() throws Exception {
    String waiting = enqueue("app.a", "emails", "{}");
    String scheduled = enqueue("app.b", "emails", "{\"delay\": 60}");
    String running = enqueue("app.b", "emails", "{}");
    rows.claim("emails", Set.of("app.b"), 10, "node-a", LEASE);

    assertThat(rows.cancelWaiting(waiting, null, 10)).isEqualTo(new DurableTasks.CancelledRows(1,
        List.of(new DurableTasks.CancelledRow(waiting, "app.a", "emails"))));
    assertThat(rows.cancelWaiting(null, "app.b", 10).listed()).extracting(DurableTasks.CancelledRow::uuid).containsExactly(scheduled);
    assertThat(rows.cancelWaiting("not-a-uuid", null, 10)).isEqualTo(DurableTasks.CancelledRows.NONE);
    assertThat(rows.cancelWaiting(null, null, 10)).isEqualTo(DurableTasks.CancelledRows.NONE);
    assertThat(rows.cancelWaiting(waiting, null, 10)).as("cancelled already").isEqualTo(DurableTasks.CancelledRows.NONE);
    assertThat(column(running, "state")).isEqualTo("running");

    assertThat(rows.retry(waiting)).isTrue();
    assertThat(column(waiting, "state")).isEqualTo("available");
    assertThat(rows.retry(running)).as("only failed or cancelled rows").isFalse();
    assertThat(rows.discard(scheduled)).isTrue();
    assertThat(column(scheduled, "state")).isNull();
  }

  @Test
  void aCancelOfManyRowsCancelsThemAllAndListsTheFirstOnly() throws Exception {
    List<String> enqueued = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      enqueued.add(enqueue("app.a", i % 2 == 0 ? "emails" : "other", "{}"));
    }

    DurableTasks.CancelledRows cancelled = rows.cancelWaiting(null, "app.a", 3);

    assertThat(cancelled.count()).isEqualTo(7);
    assertThat(cancelled.listed()).extracting(DurableTasks.CancelledRow::uuid).as("in the order they were enqueued")
        .containsExactlyElementsOf(enqueued.subList(0, 3));
    assertThat(rows.countByState()).containsEntry("cancelled", 7L).containsEntry("available", 0L);
  }

  @Test
  void finishedRowsAreDeletedAfterTheirRetentionAndCountedByState() throws Exception {
    String done = enqueue("app.a", "emails", "{}");
    String dead = enqueue("app.b", "emails", "{}");
    enqueue("app.a", "emails", "{}");
    Map<String, ClaimedRow> claimed = byUuid(rows.claim("emails", TASKS, 2, "node-a", LEASE));
    rows.complete(List.of(new Completion.Completed(claimed.get(done).id(), 1, null), new Completion.Failed(claimed.get(dead).id(), 1, "{}")));

    assertThat(rows.countByState()).containsEntry("completed", 1L).containsEntry("failed", 1L).containsEntry("available", 1L)
        .containsEntry("running", 0L);
    assertThat(rows.deleteFinished(Duration.ZERO, Duration.ofDays(7), 100)).isEqualTo(1);
    assertThat(column(done, "state")).isNull();
    assertThat(column(dead, "state")).isEqualTo("failed");
    assertThat(rows.deleteFinished(Duration.ZERO, Duration.ZERO, 100)).isEqualTo(1);
    rows.vacuum();
    assertThat(rows.deadRows()).isGreaterThanOrEqualTo(0);
  }

  private static Map<String, ClaimedRow> byUuid(List<ClaimedRow> claimed) {
    Map<String, ClaimedRow> map = new java.util.HashMap<>();
    claimed.forEach(row -> map.put(row.uuid(), row));
    return map;
  }
}
