package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Hooks in order, the shutdown grace period, abandoned work, and the second signal. */
@ExtendWith(PostgresExtension.class)
class LifecycleE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static String config(String channel, String gracePeriod) {
    return Daemon.config(List.of(channel), 1, "")
        .replace("shutdown_grace_period: 10s", "shutdown_grace_period: " + gracePeriod + "\n  idle_after: 500ms")
        .replace("hooks: [dev.dispatcher.demo.RunJournal]", "hooks: [dev.dispatcher.demo.RunJournal, dev.dispatcher.e2e.tasks.OrderHook]");
  }

  @Test
  void hooksAreCalledInOrderAndPastTheGracePeriodTheRunningTaskIsInterrupted(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("lifecycle");
    Journal journal = new Journal(database);
    try (DaemonProcess daemon = Daemon.launch(database, config(channel, "1s"), directory, List.of("--log-level", "DEBUG"))
            .awaitReady(Duration.ofSeconds(60));
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
      String hello = publisher.task(DemoTasks::hello).delay();
      await().atMost(WAIT).until(() -> journal.runs(hello) == 1);
      // idle again after the task (the daemon was idle from the start too): onIdle once more
      await().atMost(WAIT).until(() -> {
        List<String> events = hookEvents(daemon);
        int afterHello = events.indexOf("afterTask " + hello + " SUCCEEDED");
        return afterHello >= 0 && events.subList(afterHello, events.size()).contains("onIdle");
      });

      String sleeper = publisher.task(DemoTasks::sleep).delay(60.0);
      assertThat(daemon.awaitLine(line -> line.contains("task " + sleeper) && line.contains("started"), WAIT)).isTrue();
      String queued = publisher.task(DemoTasks::hello).delay(); // one worker: it waits behind the sleeper
      String delayed = publisher.task(DemoTasks::hello).withOptions(SubmitOptions.builder().delay(Duration.ofMinutes(5)).build()).delay();
      assertThat(daemon.awaitLine(line -> line.contains("task " + delayed) && line.contains("delayed"), WAIT)).isTrue();

      long stopping = System.nanoTime();
      int status = daemon.stop(WAIT);

      assertThat(status).as("output:%n%s", daemon.output()).isZero();
      assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(15));
      assertThat(daemon.linesContaining("grace period: interrupting")).singleElement().asString().contains(sleeper);
      assertThat(journal.statuses(sleeper)).containsExactly("cancelled");
      assertThat(daemon.linesContaining("abandoned on shutdown: task " + queued)).hasSize(1);
      assertThat(daemon.linesContaining("abandoned on shutdown: task " + delayed)).hasSize(1);
      assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString().contains("dropped={shutting_down=2}");
      assertThat(journal.runs(queued)).isZero();

      List<String> events = hookEvents(daemon);
      assertThat(events.get(0)).startsWith("onStart");
      assertThat(events).containsSubsequence("onStart e2e-" + channel, "beforeTask " + hello, "afterTask " + hello + " SUCCEEDED",
          "onIdle", "beforeTask " + sleeper, "afterTask " + sleeper + " CANCELLED", "onShutdown");
      assertThat(events.get(events.size() - 1)).isEqualTo("onShutdown");
    }
  }

  private static List<String> hookEvents(DaemonProcess daemon) {
    return daemon.linesContaining("hook-event").stream()
        .map(line -> line.substring(line.indexOf("hook-event ") + "hook-event ".length()))
        .toList();
  }

  /**
   * BUG: the tasks left waiting were logged only after the grace period, and the second signal
   * halted without naming anything it dropped: the queued and delayed task and the running one
   * vanished without a trace.
   */
  @Test
  void aSecondSignalStopsAtOnceAndNamesWhatItDrops(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("twice");
    try (DaemonProcess daemon = Daemon.launch(database, config(channel, "60s"), directory, List.of("--log-level", "DEBUG"))
            .awaitReady(Duration.ofSeconds(60));
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
      String sleeper = publisher.task(DemoTasks::sleep).delay(60.0);
      assertThat(daemon.awaitLine(line -> line.contains("task " + sleeper) && line.contains("started"), WAIT)).isTrue();
      String queued = publisher.task(DemoTasks::hello).delay(); // one worker: it waits behind the sleeper
      String delayed = publisher.task(DemoTasks::hello).withOptions(SubmitOptions.builder().delay(Duration.ofMinutes(5)).build()).delay();
      // one dispatch thread, in order: once the delayed one is in, so is the queued one
      assertThat(daemon.awaitLine(line -> line.contains("task " + delayed) && line.contains("delayed"), WAIT)).isTrue();

      ProcessHandle process = ProcessHandle.of(daemon.pid()).orElseThrow();
      process.destroy(); // SIGTERM: waits for the 60 s sleeper within its 60 s grace
      assertThat(daemon.awaitLine(line -> line.contains("SIGTERM received: stopping"), WAIT)).isTrue();
      // what will never run is logged when the stop begins, not after the grace period
      assertThat(daemon.awaitLine(line -> line.contains("abandoned on shutdown: task " + queued), WAIT)).isTrue();
      assertThat(daemon.awaitLine(line -> line.contains("abandoned on shutdown: task " + delayed), WAIT)).isTrue();
      long second = System.nanoTime();
      process.destroy(); // SIGTERM again: at once

      assertThat(daemon.awaitExit(WAIT)).isEqualTo(128 + 15);
      assertThat(Duration.ofNanos(System.nanoTime() - second)).isLessThan(Duration.ofSeconds(10));
      assertThat(daemon.linesContaining("received again: stopping at once")).hasSize(1);
      assertThat(daemon.linesContaining("stopping at once, dropping")).singleElement().asString()
          .contains("1 task(s) (1 running): " + sleeper + " dev.dispatcher.demo.DemoTasks.sleep (running)")
          .contains("0 message(s) received and not dispatched");
    }
  }
}
