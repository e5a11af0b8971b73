package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries of durable tasks in the real daemon: the backoff doubles per attempt (with its jitter),
 * max_attempts ends in the dead letter with one errors entry per attempt, DoNotRetry ends it at
 * once, RetryAfter picks the wait; and {@code ctl retry} / {@code ctl discard} act on the dead
 * letter. The times are read from the rows (errors[].at, written when an attempt failed) and from
 * the runs the tasks recorded as they started. One daemon serves every test; each has its rows.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DurableRetryE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** The jitter is 10% either way; the claim comes within a poll (200 ms) of run_at, plus the run's own start. */
  private static final double EARLY = 0.85;
  private static final double LATE = 1.4;

  private final String channel = Daemon.channel("durable_retry");
  private TestDatabase database;
  private DurableTable table;
  private DaemonProcess daemon;
  private Path directory;

  @BeforeAll
  void startDaemon(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    this.directory = directory;
    table = new DurableTable(database);
    daemon = Daemon.start(database, Daemon.config(List.of(channel), 8, DurableTable.FAST), directory);
  }

  @AfterAll
  void stopDaemon() throws Exception {
    if (daemon == null) {
      return;
    }
    assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
    // 2 + 2 + 1 + 2 failed attempts were retried; 1 + 1 + 2 tasks failed for good
    assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString()
        .contains("durable_retries=7").contains("durable_dead_letters=4").contains("durable_lease_expiries=0");
  }

  @Test
  void aTaskFailingTwiceIsRetriedAfterOneSecondThenTwoAndCompletes() throws Exception {
    String uuid = table.enqueue(DurableTestTasks.FAIL_TIMES, channel, List.of(2), Map.of("backoff", 1, "max_backoff", 60));

    await().atMost(WAIT).until(() -> table.row(uuid).state().equals("completed"));

    DurableTable.Row row = table.row(uuid);
    assertThat(row.attempt()).isEqualTo(3);
    assertThat(row.result().asText()).isEqualTo("succeeded at attempt 3");
    assertThat(row.errors()).hasSize(2);
    assertThat(row.errors()).extracting(error -> error.get("attempt").asInt()).containsExactly(1, 2);
    assertThat(row.errors()).allSatisfy(error -> {
      assertThat(error.get("kind").asText()).isEqualTo("failed");
      assertThat(error.get("node").asText()).isEqualTo("e2e-" + channel);
      assertThat(error.get("error").asText()).contains("fails on purpose");
      assertThat(error.get("stack").asText()).contains("DurableTestTasks.failTimes");
    });
    List<DurableTable.Run> runs = table.runsOf(uuid);
    assertThat(runs).extracting(DurableTable.Run::attempt).containsExactly(1, 2, 3);
    assertWaited(at(row.errors().get(0)), runs.get(1).startedAt(), 1.0);
    assertWaited(at(row.errors().get(1)), runs.get(2).startedAt(), 2.0);
    assertThat(daemon.linesContaining("task " + uuid)).anySatisfy(line -> assertThat(line).contains("(attempt 1 of 10; next in "));
  }

  @Test
  void maxAttemptsThreeOnAnAlwaysFailingTaskEndsFailedWithThreeErrors() throws Exception {
    String uuid = table.enqueue(DurableTestTasks.ALWAYS_FAIL, channel, List.of(), Map.of("max_attempts", 3, "backoff", 0.1));

    await().atMost(WAIT).until(() -> table.row(uuid).state().equals("failed"));

    DurableTable.Row row = table.row(uuid);
    assertThat(row.attempt()).isEqualTo(3);
    assertThat(row.maxAttempts()).isEqualTo(3);
    assertThat(row.finishedAt()).isNotNull();
    assertThat(row.errors()).extracting(error -> error.get("attempt").asInt()).containsExactly(1, 2, 3);
    assertThat(row.errors()).allSatisfy(error -> assertThat(error.get("error").asText()).contains("fails on purpose, as every attempt"));
    assertThat(table.runsOf(uuid)).extracting(DurableTable.Run::attempt).containsExactly(1, 2, 3);
    assertThat(daemon.awaitLine(line -> line.contains("task " + uuid) && line.contains("(attempt 3 of 3; failed for good: no attempt left)"),
        WAIT)).as("output:%n%s", daemon.output()).isTrue();
  }

  @Test
  void doNotRetryFailsForGoodAfterOneAttempt() throws Exception {
    String uuid = table.enqueue(DurableTestTasks.DO_NOT_RETRY, channel, List.of(), Map.of("backoff", 0.1));

    await().atMost(WAIT).until(() -> table.row(uuid).state().equals("failed"));

    DurableTable.Row row = table.row(uuid);
    assertThat(row.attempt()).isEqualTo(1);
    assertThat(row.maxAttempts()).isEqualTo(10);
    assertThat(row.errors()).singleElement().satisfies(error -> assertThat(error.get("error").asText()).contains("this task says not to retry"));
    assertThat(table.runsOf(uuid)).hasSize(1);
    assertThat(daemon.awaitLine(line -> line.contains("task " + uuid) && line.contains("failed for good: the task said not to retry"), WAIT))
        .as("output:%n%s", daemon.output()).isTrue();
  }

  @Test
  void retryAfterPicksTheWaitInsteadOfTheBackoff() throws Exception {
    // a backoff of 10 s: an attempt within a few seconds can only be RetryAfter's
    String uuid = table.enqueue(DurableTestTasks.RETRY_AFTER, channel, List.of(1.5), Map.of("backoff", 10));

    await().atMost(WAIT).until(() -> table.row(uuid).state().equals("completed"));

    DurableTable.Row row = table.row(uuid);
    assertThat(row.attempt()).isEqualTo(2);
    assertThat(row.errors()).singleElement().satisfies(error -> assertThat(error.get("error").asText()).contains("come back in 1.5 s"));
    List<DurableTable.Run> runs = table.runsOf(uuid);
    assertThat(runs).hasSize(2);
    Duration waited = Duration.between(at(row.errors().get(0)), runs.get(1).startedAt());
    assertThat(waited).as("RetryAfter has no jitter").isBetween(Duration.ofMillis(1400), Duration.ofMillis(1500 + 1000));
  }

  @Test
  void ctlRetryRunsADeadLetterAgainAndCtlDiscardDeletesOne() throws Exception {
    // fails 3 times, succeeds at a 4th attempt, which only a retry from the dead letter allows
    String dead = table.enqueue(DurableTestTasks.FAIL_TIMES, channel, List.of(3), Map.of("max_attempts", 3, "backoff", 0.1));
    String doomed = table.enqueue(DurableTestTasks.DO_NOT_RETRY, channel, List.of(), Map.of());
    await().atMost(WAIT).until(() -> table.row(dead).state().equals("failed") && table.row(doomed).state().equals("failed"));

    Ctl.Result retried = Ctl.run(database, directory, channel, "retry", "--uuid", dead);

    assertThat(retried.status()).as("stderr: %s", retried.stderr()).isZero();
    assertThat(retried.stdout()).contains("retried durable task " + dead);
    await().atMost(WAIT).until(() -> table.row(dead).state().equals("completed"));
    DurableTable.Row row = table.row(dead);
    assertThat(row.attempt()).isEqualTo(4);
    assertThat(row.maxAttempts()).isEqualTo(4);
    assertThat(row.errors()).as("the dead letter's errors are kept").hasSize(3);
    assertThat(row.result().asText()).isEqualTo("succeeded at attempt 4");
    assertThat(table.runsOf(dead)).extracting(DurableTable.Run::attempt).containsExactly(1, 2, 3, 4);
    Ctl.Result again = Ctl.run(database, directory, channel, "retry", "--uuid", dead);
    assertThat(again.status()).as("a completed row is not retried").isEqualTo(1);
    assertThat(again.stderr()).contains("no failed or cancelled durable task with uuid " + dead);

    Ctl.Result discarded = Ctl.run(database, directory, channel, "discard", "--uuid", doomed);

    assertThat(discarded.status()).as("stderr: %s", discarded.stderr()).isZero();
    assertThat(discarded.stdout()).contains("discarded durable task " + doomed);
    assertThat(table.row(doomed)).isNull();
  }

  private static Instant at(JsonNode error) {
    return Instant.parse(error.get("at").asText());
  }

  private static void assertWaited(Instant failed, Instant nextStarted, double seconds) {
    Duration waited = Duration.between(failed, nextStarted);
    assertThat(waited).as("wait after a failure, backoff %s s", seconds)
        .isBetween(Duration.ofMillis((long) (seconds * 1000 * EARLY)), Duration.ofMillis((long) (seconds * 1000 * LATE)));
  }
}
