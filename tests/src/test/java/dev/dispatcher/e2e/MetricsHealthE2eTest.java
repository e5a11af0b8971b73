package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.tools.process.DaemonProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics has the daemon's meters with the right types; GET /health follows the listener's connection. */
@ExtendWith(PostgresExtension.class)
class MetricsHealthE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void metricsAreScrapedWithTheirTypesAndHealthFlipsWhileTheDatabaseIsUnreachable(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("metrics");
    Journal journal = new Journal(database);
    int port = freePort();
    DatabaseUrl direct = DatabaseUrl.parse(database.url());
    try (FreezableProxy proxy = new FreezableProxy(direct.host(), direct.port())) {
      String listenUrl = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + direct.database() + "?user=" + direct.user()
          + (direct.password() == null ? "" : "&password=" + direct.password());
      String config = Daemon.config(List.of(channel), 2,
              "metrics:\n  port: " + port + "\nlistener:\n  self_check_after: 1s\n  self_check_timeout: 1s\n")
          .replace("  url: set-by-DISPATCHER_DATABASE_URL\n", "  url: set-by-DISPATCHER_DATABASE_URL\n  listen_url: " + listenUrl + "\n");
      try (DaemonProcess daemon = Daemon.start(database, config, directory);
          Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
        String ok = publisher.task(DemoTasks::hello).delay();
        String failing = publisher.task(DemoTasks::fail).delay();
        publisher.task("no.such.task").delay();
        // A publish time no clock has: the run happens, its wait is not recorded (it once made the histogram's sum absurd, then negative)
        String absurd = UUID.randomUUID().toString();
        notify(database, channel, "{\"task\":\"" + HELLO + "\",\"uuid\":\"" + absurd + "\",\"time_pub\":-1e308}");
        await().atMost(WAIT).until(() -> journal.runs(ok) == 1 && journal.runs(failing) == 1 && journal.runs(absurd) == 1);

        String metrics = await().atMost(WAIT).until(() -> get(port, "/metrics").body(),
            body -> body.contains("dispatcher_messages_dropped_total{reason=\"unknown_task\"} 1.0"));
        assertThat(metrics).contains(
            "# TYPE dispatcher_messages_received_total counter",
            "dispatcher_messages_received_total{channel=\"" + channel + "\"} 4.0",
            "# TYPE dispatcher_tasks_started_total counter",
            "# TYPE dispatcher_tasks_finished_total counter",
            "dispatcher_tasks_finished_total{outcome=\"failed\"} 1.0",
            "# TYPE dispatcher_pool_running gauge",
            "# TYPE dispatcher_pool_queued gauge",
            "# TYPE dispatcher_pool_held gauge",
            "# TYPE dispatcher_pool_delayed gauge",
            "# TYPE dispatcher_task_duration_seconds histogram",
            "dispatcher_task_duration_seconds_count{task=\"" + HELLO + "\"} 2",
            "# TYPE dispatcher_task_queue_wait_seconds histogram",
            "dispatcher_task_queue_wait_seconds_count{task=\"" + HELLO + "\"} 1",
            "# TYPE dispatcher_listener_losses_total counter",
            "# TYPE dispatcher_listener_self_check_seconds gauge",
            "# TYPE dispatcher_chunked_messages_total counter");
        assertThat(series(metrics, "dispatcher_task_queue_wait_seconds_sum{task=\"" + HELLO + "\"}")).isBetween(0.0, 30.0);
        HttpResponse<String> healthy = get(port, "/health");
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).contains("\"status\":\"ok\"");
        assertThat(get(port, "/ready").statusCode()).isEqualTo(200);
        assertThat(get(port, "/live").statusCode()).isEqualTo(200);

        proxy.down();

        HttpResponse<String> down = await().atMost(WAIT).until(() -> get(port, "/health"), response -> response.statusCode() == 503);
        assertThat(down.body()).contains("\"status\":\"unavailable\"", "\"reason\":");
        HttpResponse<String> notReady = get(port, "/ready");
        assertThat(notReady.statusCode()).as("not ready while the listener is cut off").isEqualTo(503);
        assertThat(notReady.body()).contains("\"reason\":");
        assertThat(get(port, "/live").statusCode()).as("but alive: nothing a restart would fix").isEqualTo(200);

        proxy.up();

        await().atMost(WAIT).until(() -> get(port, "/health").statusCode() == 200);
        assertThat(get(port, "/ready").statusCode()).isEqualTo(200);
        String after = publisher.task(DemoTasks::sum2).delay(1L, 1L);
        await().atMost(WAIT).until(() -> journal.runs(after) == 1);
        assertThat(get(port, "/metrics").body()).contains("dispatcher_listener_losses_total 1.0");
        assertThat(daemon.isAlive()).as("the outage did not stop the daemon").isTrue();
      }
    }
  }

  private static final String HELLO = "dev.dispatcher.demo.DemoTasks.hello";

  private static void notify(TestDatabase database, String channel, String payload) throws Exception {
    try (Connection connection = database.connect(); PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, channel);
      notify.setString(2, payload);
      notify.execute();
    }
  }

  private static double series(String metrics, String series) {
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
    assertThat(value.find()).as("%s in%n%s", series, metrics).isTrue();
    return Double.parseDouble(value.group(1));
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
