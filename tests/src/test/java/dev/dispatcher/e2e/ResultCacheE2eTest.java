package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.e2e.tasks.CacheTasks;
import dev.dispatcher.status.TaskFailedException;
import dev.dispatcher.status.TaskHandle;
import dev.dispatcher.status.TaskState;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The result cache against a real daemon: a second submission of a cached task with the same
 * arguments gets the first one's result and runs nothing (the daemon's completion writer wrote the
 * row it is answered with), other arguments run, a result past its cacheFor is not used, a failure
 * is not cached, {@code Duration.ZERO} runs anyway, and the SQL API's {@code cache_for} does the
 * same for any durable task. Each test has a channel of its own (its runs are counted there) and
 * arguments of its own (the cache does not look at channels).
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResultCacheE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String hits = Daemon.channel("cache_hits");
  private final String expiry = Daemon.channel("cache_expiry");
  private final String failures = Daemon.channel("cache_failures");
  private final String bypass = Daemon.channel("cache_bypass");
  private final String sql = Daemon.channel("cache_sql");
  private TestDatabase database;
  private DurableTable table;
  private DaemonProcess daemon;
  private Publisher publisher;

  @BeforeAll
  void startTheDaemon(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    table = new DurableTable(database);
    daemon = Daemon.start(database, Daemon.config(List.of(hits, expiry, failures, bypass, sql), 4, DurableTable.FAST), directory);
    publisher = Publisher.builder().url(database.url()).build();
  }

  @AfterAll
  void stop() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (daemon != null) {
      assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
    }
  }

  /** Arguments no other test (or earlier run against the same database) used. */
  private static long fresh() {
    return ThreadLocalRandom.current().nextLong(1, 1_000_000_000L);
  }

  private static SubmitOptions on(String channel) {
    return SubmitOptions.builder().channel(channel).build();
  }

  @Test
  void aSecondSubmissionGetsTheFirstsResultAndNothingRunsForIt() throws Exception {
    long n = fresh();
    TaskHandle first = publisher.boundTask(CacheTasks::square).withOptions(on(hits)).submit(n);
    assertThat(first.cached()).isFalse();
    JsonNode result = first.result(WAIT);
    assertThat(result.get("square").longValue()).isEqualTo(n * n);
    assertThat(result.get("run").textValue()).isEqualTo(first.uuid());

    TaskHandle second = publisher.boundTask(CacheTasks::square).withOptions(on(hits)).submit(n);
    assertThat(second.cached()).isTrue();
    assertThat(second.uuid()).isEqualTo(first.uuid());
    assertThat(second.future()).as("its result is there at once").isDone();
    assertThat(second.result(WAIT)).isEqualTo(result);
    assertThat(publisher.boundTask(CacheTasks::square).withOptions(on(hits)).delay(n)).as("delay() returns the cached row's uuid")
        .isEqualTo(first.uuid());
    assertThat(second.status().orElseThrow().state()).isEqualTo(TaskState.COMPLETED);

    TaskHandle other = publisher.boundTask(CacheTasks::square).withOptions(on(hits)).submit(n + 1);
    assertThat(other.cached()).as("other args: a miss").isFalse();
    assertThat(other.result(WAIT).get("square").longValue()).isEqualTo((n + 1) * (n + 1));

    assertThat(table.rows(hits)).as("a hit has no row of its own, so nothing can run for it later").hasSize(2);
    assertThat(table.runCounts(hits)).isEqualTo(Map.of(first.uuid(), 1, other.uuid(), 1));
  }

  @Test
  void aResultPastItsCacheForIsNotUsedAndTheTaskRunsAgain() throws Exception {
    long n = fresh();
    TaskHandle first = publisher.boundTask(CacheTasks::shortLived).withOptions(on(expiry)).submit(n);
    assertThat(first.result(WAIT).get("run").textValue()).isEqualTo(first.uuid());
    // cacheFor = "1s": wait until the database's clock is past it
    await().atMost(WAIT).until(() -> secondsSinceFinished(first.uuid()) > 1.0);

    TaskHandle second = publisher.boundTask(CacheTasks::shortLived).withOptions(on(expiry)).submit(n);

    assertThat(second.cached()).isFalse();
    assertThat(second.uuid()).isNotEqualTo(first.uuid());
    assertThat(second.result(WAIT).get("run").textValue()).as("run again").isEqualTo(second.uuid());
    assertThat(table.runCounts(expiry)).isEqualTo(Map.of(first.uuid(), 1, second.uuid(), 1));
    assertThat(table.row(first.uuid())).as("still there: expiry only stops it answering; retention deletes rows").isNotNull();
  }

  @Test
  void aFailureIsNotCached() throws Exception {
    long n = fresh();
    TaskHandle first = publisher.boundTask(CacheTasks::fail).withOptions(on(failures)).submit(n);
    assertThatThrownBy(() -> first.result(WAIT)).isInstanceOf(TaskFailedException.class);

    TaskHandle second = publisher.boundTask(CacheTasks::fail).withOptions(on(failures)).submit(n);

    assertThat(second.cached()).isFalse();
    assertThat(second.uuid()).isNotEqualTo(first.uuid());
    assertThatThrownBy(() -> second.result(WAIT)).isInstanceOf(TaskFailedException.class)
        .satisfies(e -> assertThat(((TaskFailedException) e).status().lastError().error()).contains("fails on purpose for " + n));
    assertThat(table.runCounts(failures)).isEqualTo(Map.of(first.uuid(), 1, second.uuid(), 1));
  }

  @Test
  void zeroRunsAnywayAndItsResultAnswersTheNextSubmission() throws Exception {
    long n = fresh();
    TaskHandle first = publisher.boundTask(CacheTasks::square).withOptions(on(bypass)).submit(n);
    first.result(WAIT);

    TaskHandle forced = publisher.boundTask(CacheTasks::square)
        .withOptions(SubmitOptions.builder().channel(bypass).cacheFor(Duration.ZERO).build()).submit(n);
    assertThat(forced.cached()).isFalse();
    assertThat(forced.result(WAIT).get("run").textValue()).isEqualTo(forced.uuid());

    TaskHandle next = publisher.boundTask(CacheTasks::square).withOptions(on(bypass)).submit(n);
    assertThat(next.cached()).isTrue();
    assertThat(next.uuid()).as("the newest result").isEqualTo(forced.uuid());
    assertThat(table.runCounts(bypass)).isEqualTo(Map.of(first.uuid(), 1, forced.uuid(), 1));
  }

  @Test
  void theSqlApiTakesCacheForForAnyDurableTask() throws Exception {
    String text = "sql " + fresh();
    String first = table.enqueue(CacheTasks.PLAIN, sql, List.of(text), Map.of("cache_for", 600));
    await().atMost(WAIT).until(() -> "completed".equals(table.row(first).state()));
    assertThat(table.row(first).result().textValue()).isEqualTo(text + " by " + first);

    assertThat(table.enqueue(CacheTasks.PLAIN, sql, List.of(text), Map.of("cache_for", 600))).isEqualTo(first);
    assertThat(table.enqueue(CacheTasks.PLAIN, sql, List.of(text), Map.of())).as("no cache_for: a run").isNotEqualTo(first);
    List<String> batch = table.enqueueMany(List.of(
        DurableTable.task(CacheTasks.PLAIN, sql, List.of(text), Map.of("cache_for", 60)),
        DurableTable.task(CacheTasks.PLAIN, sql, List.of(text + " again"), Map.of("cache_for", 60))));
    assertThat(batch).hasSize(2);
    assertThat(batch.get(0)).isEqualTo(first);
    assertThat(batch.get(1)).isNotEqualTo(first);

    await().atMost(WAIT).until(() -> table.count(sql, "completed") == 3);
    assertThat(table.rows(sql)).hasSize(3);
    assertThat(table.runCounts(sql)).hasSize(3).containsEntry(first, 1).allSatisfy((uuid, runs) -> assertThat(runs).isEqualTo(1));
  }

  /** Seconds between the row's finished_at and now, by the database's clock (the one the cache uses). */
  private double secondsSinceFinished(String uuid) throws Exception {
    try (Connection connection = database.connect(); PreparedStatement select = connection.prepareStatement(
        "SELECT extract(epoch FROM statement_timestamp() - finished_at) FROM dispatcher.tasks WHERE uuid = ?::uuid")) {
      select.setString(1, uuid);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getDouble(1) : 0;
      }
    }
  }
}
