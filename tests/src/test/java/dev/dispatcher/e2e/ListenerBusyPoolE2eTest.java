package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.e2e.tasks.PoolHog;
import dev.dispatcher.tools.process.DaemonProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every connection of the daemon's pool is taken (as when control replies fill it): the listener's
 * self-check does not queue behind them, so it keeps passing, the listener is not reconnected,
 * /health stays 200, and tasks published meanwhile run.
 */
@ExtendWith(PostgresExtension.class)
class ListenerBusyPoolE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private final HttpClient http = HttpClient.newHttpClient();
  private int port;

  @Test
  void aBusyConnectionPoolDoesNotFailTheListenersSelfCheck(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("busypool");
    Journal journal = new Journal(database);
    port = freePort();
    String config = Daemon.config(List.of(channel), 4,
            "metrics:\n  port: " + port + "\nlistener:\n  self_check_after: 500ms\n  self_check_timeout: 1s\n")
        .replace("hooks: [dev.dispatcher.demo.RunJournal]", "hooks: [dev.dispatcher.demo.RunJournal, dev.dispatcher.e2e.tasks.PoolHog]");
    Path release = directory.resolve("release-pool");
    try (DaemonProcess daemon = Daemon.start(database, config, directory);
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
      String first = publisher.task(DemoTasks::hello).delay();
      await().atMost(WAIT).until(() -> journal.runs(first) == 1);

      String hold = publisher.task(PoolHog::holdUntil).delay(release.toString());
      assertThat(daemon.awaitLine(line -> line.contains("pool-hog holding 4 of 4 connections"), WAIT))
          .as("output:%n%s", daemon.output()).isTrue();
      List<String> meanwhile = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        meanwhile.add(publisher.task(DemoTasks::sum2).delay((long) i, 1L));
      }
      assertThat(daemon.awaitLine(line -> line.contains(meanwhile.get(2) + " dev.dispatcher.demo.DemoTasks.sum2 succeeded"), WAIT))
          .as("the last task published while the pool is held ran; output:%n%s", daemon.output()).isTrue();
      long checksBefore = counter(get("/metrics"), "dispatcher_listener_self_checks_total");
      // Two more self-checks, each after 500 ms of quiet, while every pooled connection is taken.
      await().atMost(WAIT).until(() -> counter(get("/metrics"), "dispatcher_listener_self_checks_total") >= checksBefore + 2
          || counter(get("/metrics"), "dispatcher_listener_self_check_failures_total") > 0);
      String metrics = get("/metrics");
      assertThat(counter(metrics, "dispatcher_listener_self_check_failures_total")).as("output:%n%s", daemon.output()).isZero();
      assertThat(counter(metrics, "dispatcher_listener_self_checks_total")).isGreaterThanOrEqualTo(checksBefore + 2);
      assertThat(counter(metrics, "dispatcher_listener_losses_total")).isZero();
      assertThat(daemon.linesContaining("pool-hog released")).as("the pool was held throughout").isEmpty();
      HttpResponse<String> health = http.send(request("/health"), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);

      Files.createFile(release);

      assertThat(daemon.awaitLine(line -> line.contains("pool-hog released 4 connections"), WAIT)).isTrue();
      List<String> all = new ArrayList<>(meanwhile);
      all.add(hold);
      await().atMost(WAIT).until(() -> journal.runsByUuid(all).values().stream().filter(runs -> runs == 1).count() == all.size());
      assertThat(daemon.stop(WAIT)).isZero();
      assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString()
          .contains("listener_connections=1").contains("listener_losses=0").contains("self_check_failures=0");
      assertThat(daemon.linesContaining("listener connection lost")).isEmpty();
    }
  }

  /** The value of an unlabelled counter in Prometheus text, 0 when absent. */
  private static long counter(String metrics, String name) {
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
    return value.find() ? (long) Double.parseDouble(value.group(1)) : 0;
  }

  private String get(String path) throws Exception {
    return http.send(request(path), HttpResponse.BodyHandlers.ofString()).body();
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
