package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.OnDuplicate;
import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.e2e.tasks.SemanticsTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * on_duplicate, timeouts, delay and cancel, per-task concurrency, callbacks and errbacks, and
 * the bound context, against the real daemon process (at DEBUG, so starts are logged).
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DispatchSemanticsE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(40);

  private final String channel = Daemon.channel("semantics");
  private TestDatabase database;
  private DaemonProcess daemon;
  private Publisher publisher;
  private Journal journal;

  @BeforeAll
  void startDaemon(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    this.journal = new Journal(database);
    daemon = Daemon.launch(database, Daemon.config(List.of(channel), 16, ""), directory, List.of("--log-level", "DEBUG"))
        .awaitReady(Duration.ofSeconds(60));
    publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build();
  }

  @AfterAll
  void stopDaemon() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  private List<String> tenSleeps(OnDuplicate policy, double seconds) {
    List<String> uuids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      uuids.add(publisher.task(DemoTasks::sleep).withOptions(SubmitOptions.builder().onDuplicate(policy).build()).delay(seconds));
    }
    return uuids;
  }

  private long lines(String uuid, String text) {
    return daemon.linesContaining(uuid).stream().filter(line -> line.contains(text)).count();
  }

  @Test
  void onDuplicateSerialQueueOneAndDiscardGiveTheExactCounts() throws Exception {
    // Three groups of ten 2-second duplicates; the groups differ in their argument, so they run side by side.
    List<String> serial = tenSleeps(OnDuplicate.SERIAL, 2.0);
    List<String> queueOne = tenSleeps(OnDuplicate.QUEUE_ONE, 2.001);
    List<String> discard = tenSleeps(OnDuplicate.DISCARD, 2.002);

    await().atMost(WAIT).until(() -> journal.runsByUuid(serial).size() == 10);
    // serial: 1 running and 9 held, then all 10 ran one after another, in arrival order
    assertThat(serial.stream().filter(uuid -> lines(uuid, "held: a duplicate is running or queued") == 1)).hasSize(9);
    List<Journal.Run> serialRuns = journal.runs(serial);
    assertThat(serialRuns).extracting(Journal.Run::uuid).containsExactlyElementsOf(serial);
    for (int i = 1; i < serialRuns.size(); i++) {
      assertThat(serialRuns.get(i).startedAt()).isAfterOrEqualTo(serialRuns.get(i - 1).finishedAt());
    }
    // queue_one: 1 running, 1 held, 8 dropped
    assertThat(journal.runsByUuid(queueOne)).containsOnlyKeys(queueOne.get(0), queueOne.get(1));
    assertThat(queueOne.subList(2, 10)).allSatisfy(uuid -> assertThat(lines(uuid, "dropped task")).isEqualTo(1));
    assertThat(lines(queueOne.get(1), "held")).isEqualTo(1);
    // discard: 1 running, 9 dropped
    assertThat(journal.runsByUuid(discard)).containsOnlyKeys(discard.get(0));
    assertThat(discard.subList(1, 10)).allSatisfy(uuid -> assertThat(lines(uuid, "dropped task")).isEqualTo(1));
  }

  @Test
  void aTimeoutInterruptsTheTaskAndOnlyTheTasksWithOne() throws Exception {
    SubmitOptions quick = SubmitOptions.builder().timeout(Duration.ofMillis(100)).build();
    String long1 = publisher.task(DemoTasks::sleep).withOptions(quick).delay(1.5);
    List<String> alternating = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      alternating.add(i % 2 == 0
          ? publisher.task(DemoTasks::sleep).withOptions(quick).delay(0.3 + i / 1000.0)
          : publisher.task(DemoTasks::sleep).delay(0.3 + i / 1000.0));
    }
    String byAnnotation = publisher.task(SemanticsTasks::sleepWithDefaultTimeout).delay(1.0);
    // a message without a timeout (as from a Python publisher): the daemon applies the task's own
    String silent = Daemon.channel("silent");
    notifyRaw("{\"uuid\": \"" + silent + "\", \"task\": \"dev.dispatcher.e2e.tasks.SemanticsTasks.sleepWithDefaultTimeout\", \"args\": [1.0]}");

    await().atMost(WAIT).until(() -> journal.runsByUuid(alternating).size() == 6 && journal.runs(long1) == 1
        && journal.runs(byAnnotation) == 1 && journal.runs(silent) == 1);
    assertThat(journal.statuses(silent)).containsExactly("timed_out");
    Journal.Run interrupted = journal.runs(List.of(long1)).get(0);
    assertThat(interrupted.status()).isEqualTo("timed_out");
    assertThat(Duration.between(interrupted.startedAt(), interrupted.finishedAt())).isLessThan(Duration.ofSeconds(1));
    assertThat(journal.runs(alternating)).filteredOn(run -> run.status().equals("timed_out")).hasSize(3);
    assertThat(journal.runs(alternating)).filteredOn(run -> run.status().equals("succeeded")).hasSize(3);
    assertThat(journal.statuses(byAnnotation)).containsExactly("timed_out");
  }

  @Test
  void aTaskThatIgnoresItsTimeoutIsReportedStuckOnceWithItsStack() throws Exception {
    String stubborn = publisher.task(SemanticsTasks::stubborn).withOptions(SubmitOptions.builder().timeout(Duration.ofMillis(100)).build())
        .delay(1.6);

    await().atMost(WAIT).until(() -> journal.runs(stubborn) == 1);
    assertThat(lines(stubborn, "is stuck: it ignored the interrupt")).isEqualTo(1);
    String output = daemon.output();
    String afterStuck = output.substring(output.indexOf(stubborn + " dev.dispatcher.e2e.tasks.SemanticsTasks.stubborn is stuck"));
    assertThat(afterStuck).contains("dev.dispatcher.e2e.tasks.SemanticsTasks.stubborn(SemanticsTasks.java:");
    assertThat(lines(stubborn, "was stuck and returned")).isEqualTo(1);
    assertThat(journal.statuses(stubborn)).containsExactly("timed_out");
  }

  @Test
  void aDelayedTaskWaitsItsDelayAndACancelledOneNeverRuns() throws Exception {
    SubmitOptions twoSeconds = SubmitOptions.builder().delay(Duration.ofSeconds(2)).build();
    String doomed = publisher.task(DemoTasks::hello).withOptions(twoSeconds).delay();
    String kept = publisher.task(DemoTasks::sum2).withOptions(twoSeconds).delay(1L, 1L);
    assertThat(daemon.awaitLine(line -> line.contains("task " + doomed) && line.contains("delayed"), WAIT)).isTrue();

    String canceller = publisher.boundTask(SemanticsTasks::cancel).delay(doomed);

    await().atMost(WAIT).until(() -> journal.runs(canceller) == 1);
    assertThat(lines(doomed, "cancelled task " + doomed)).isEqualTo(1);
    assertThat(lines(canceller, "succeeded")).isEqualTo(1);
    // the other task with the same delay ran, so the cancelled one's time came and went
    await().atMost(WAIT).until(() -> journal.runs(kept) == 1);
    assertThat(journal.runs(doomed)).isZero();
  }

  @Test
  void aRunningTaskCanBeCancelled() throws Exception {
    String sleeper = publisher.task(DemoTasks::sleep).delay(30.0);
    assertThat(daemon.awaitLine(line -> line.contains("task " + sleeper) && line.contains("started"), WAIT)).isTrue();

    publisher.boundTask(SemanticsTasks::cancel).delay(sleeper);

    await().atMost(WAIT).until(() -> journal.runs(sleeper) == 1);
    Journal.Run run = journal.runs(List.of(sleeper)).get(0);
    assertThat(run.status()).isEqualTo("cancelled");
    assertThat(Duration.between(run.startedAt(), run.finishedAt())).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void maxConcurrencyOfTwoNeverRunsMoreThanTwoOfSix() throws Exception {
    List<String> uuids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      uuids.add(publisher.task(SemanticsTasks::limited).delay(0.4));
    }

    await().atMost(WAIT).until(() -> journal.runsByUuid(uuids).size() == 6);
    List<Journal.Run> runs = journal.runs(uuids);
    int maxOverlap = 0;
    for (Journal.Run run : runs) {
      long overlapping = runs.stream()
          .filter(other -> !other.startedAt().isAfter(run.startedAt()) && other.finishedAt().isAfter(run.startedAt()))
          .count();
      maxOverlap = Math.max(maxOverlap, (int) overlapping);
    }
    assertThat(maxOverlap).isEqualTo(2);
  }

  @Test
  void callbacksRunAfterSuccessAndErrbacksOnlyAfterFailure() throws Exception {
    String followUps = "\"callbacks\": [{\"uuid\": \"%s-cb\", \"task\": \"dev.dispatcher.demo.DemoTasks.hello\"}],"
        + " \"errbacks\": [{\"uuid\": \"%s-eb\", \"task\": \"dev.dispatcher.demo.DemoTasks.sum2\", \"args\": [1, 2]}]";
    String ok = Daemon.channel("ok");
    String bad = Daemon.channel("bad");
    notifyRaw("{\"uuid\": \"" + ok + "\", \"task\": \"dev.dispatcher.demo.DemoTasks.hello\", " + followUps.formatted(ok, ok) + "}");
    notifyRaw("{\"uuid\": \"" + bad + "\", \"task\": \"dev.dispatcher.demo.DemoTasks.fail\", " + followUps.formatted(bad, bad) + "}");

    await().atMost(WAIT).until(() -> journal.runs(ok + "-cb") == 1 && journal.runs(bad + "-eb") == 1);
    String marker = publisher.task(DemoTasks::hello).delay(); // everything before it has been dispatched
    await().atMost(WAIT).until(() -> journal.runs(marker) == 1);
    assertThat(journal.runs(ok + "-eb")).isZero();
    assertThat(journal.runs(bad + "-cb")).isZero();
    assertThat(lines(ok, "callback " + ok + "-cb")).isEqualTo(1);
    assertThat(lines(bad, "errback " + bad + "-eb")).isEqualTo(1);
  }

  @Test
  void aBoundTaskPublishesAFollowUpThroughItsContext() throws Exception {
    String parent = publisher.boundTask(SemanticsTasks::publishFollowUp).delay();

    await().atMost(WAIT).until(() -> journal.runs(parent) == 1);
    String line = daemon.linesContaining("task " + parent).stream().filter(l -> l.contains("succeeded")).findFirst().orElseThrow();
    String child = line.substring(line.indexOf("-> ") + 3).trim();
    // the daemon listens on its default publish channel (the first configured), so the child comes back
    await().atMost(WAIT).until(() -> journal.runs(child) == 1);
  }

  @Test
  void aBoundTaskRunsControlCommandsLocally() throws Exception {
    String asking = publisher.boundTask(SemanticsTasks::whereAmI).delay();
    String unknown = publisher.boundTask(SemanticsTasks::unknownControl).delay();

    await().atMost(WAIT).until(() -> journal.runs(asking) == 1 && journal.runs(unknown) == 1);
    assertThat(daemon.linesContaining("task " + asking)).filteredOn(line -> line.contains("succeeded")).singleElement().asString()
        .matches(".*-> worker-\\d+,node_id$");
    assertThat(journal.statuses(unknown)).containsExactly("failed");
    assertThat(daemon.linesContaining("task " + unknown)).filteredOn(line -> line.contains("failed")).singleElement().asString()
        .contains("No control method reboot");
  }

  private void notifyRaw(String payload) throws Exception {
    try (Connection connection = database.connect();
        PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, channel);
      notify.setString(2, payload);
      notify.execute();
    }
  }
}
