package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.Publisher;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.tools.process.DaemonProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A daemon whose listener cannot connect at start says so, is not "ready", and becomes ready once it listens. */
@ExtendWith(PostgresExtension.class)
class ReadinessE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * BUG: the daemon logged "dispatcher ready: ... listening on [...]" although it had never
   * connected, and its first failure was worded "listener connection lost".
   */
  @Test
  void aDaemonThatCannotListenYetIsNotReadyAndSaysSoUntilItListens(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("ready");
    int port = freePort();
    Journal journal = new Journal(database);
    DatabaseUrl direct = DatabaseUrl.parse(database.url());
    try (FreezableProxy proxy = new FreezableProxy(direct.host(), direct.port())) {
      proxy.down(); // the listener's way to the database refuses connections from the start
      String listenUrl = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + direct.database() + "?user=" + direct.user()
          + (direct.password() == null ? "" : "&password=" + direct.password());
      String config = Daemon.config(List.of(channel), 2, "metrics:\n  port: " + port + "\n")
          .replace("  url: set-by-DISPATCHER_DATABASE_URL\n", "  url: set-by-DISPATCHER_DATABASE_URL\n  listen_url: " + listenUrl + "\n");
      try (DaemonProcess daemon = Daemon.launch(database, config, directory, List.of());
          ControlClient control = ControlClient.fromUrl(database.url());
          Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build()) {
        assertThat(daemon.awaitLine(line -> line.contains("not listening after"), WAIT)).as("output:%n%s", daemon.output()).isTrue();
        assertThat(daemon.linesContaining("listener not connected yet")).singleElement().asString().contains("retrying");
        HttpResponse<String> notYet = get(port, "/health");
        assertThat(notYet.statusCode()).isEqualTo(503);
        assertThat(notYet.body()).contains("\"listener_connected\":false", "\"reason\":\"not connected yet; retrying\"");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !daemon.output().contains(DaemonProcess.READY));
        assertThat(daemon.output()).doesNotContain("connection lost");

        proxy.up();

        assertThat(daemon.awaitLine(line -> line.contains(DaemonProcess.READY), WAIT)).as("output:%n%s", daemon.output()).isTrue();
        assertThat(daemon.linesContaining(DaemonProcess.READY)).singleElement().asString().contains("listening on [" + channel + "]");
        assertThat(daemon.linesContaining("listener connected to")).singleElement().asString().contains("of retrying");
        await().atMost(WAIT).until(() -> get(port, "/health").statusCode() == 200);
        // the control replies say what /health says
        Map<String, Object> status = control.send(channel, "status", Map.of(), 1, Duration.ofSeconds(10)).stream()
            .map(ControlReply::body).findFirst().orElseThrow();
        assertThat(map(status.get("main"))).containsEntry("health", "ok");
        assertThat(map(map(status.get("producers")).get("pg_notify"))).containsEntry("connected", true)
            .containsEntry("last_self_check_passed", true).containsEntry("losses", 0);
        String hello = publisher.task(DemoTasks::hello).delay();
        await().atMost(WAIT).until(() -> journal.runs(hello) == 1);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
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
