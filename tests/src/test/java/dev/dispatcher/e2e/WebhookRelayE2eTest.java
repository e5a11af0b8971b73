package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dispatcher.tools.process.DaemonProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook relay against a local receiver: a receiver that fails twice then succeeds gets exactly
 * three signed attempts spaced by the backoff, with the same webhook-id; a 410 is not retried; a slow
 * receiver times out and is tried again; a daemon killed between attempts leaves the delivery to the
 * next daemon; a target outside the allow-list is never called.
 */
@ExtendWith(PostgresExtension.class)
class WebhookRelayE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SECRET_BYTES = "relay-e2e-secret-0123456789abcdef";
  private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(SECRET_BYTES.getBytes(StandardCharsets.UTF_8));
  private static final String TOKEN = "w".repeat(40);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern API = Pattern.compile("http api on http://127\\.0\\.0\\.1:(\\d+)/api/v1/");

  /** One request as the receiver saw it. */
  record Hit(long atNanos, String id, String timestamp, String signature, String body) {}

  private final Map<String, List<Hit>> hits = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private HttpServer receiver;
  private String channel;
  private DurableTable table;
  private TestDatabase database;
  private Path directory;

  @BeforeEach
  void start(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    this.directory = directory;
    channel = Daemon.channel("webhooks");
    table = new DurableTable(database);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    receiver.createContext("/", this::receive);
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  /** /flaky and /crash fail their first 2 and 1 requests with 503; /gone is 410; /slow takes 3 s the first time. */
  private void receive(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      hits.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(new Hit(System.nanoTime(),
          exchange.getRequestHeaders().getFirst("webhook-id"), exchange.getRequestHeaders().getFirst("webhook-timestamp"),
          exchange.getRequestHeaders().getFirst("webhook-signature"), body));
      int n = counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      int status = switch (path) {
        case "/flaky" -> n <= 2 ? 503 : 200;
        case "/crash" -> n <= 1 ? 503 : 200;
        case "/gone" -> 410;
        default -> 200;
      };
      if (path.equals("/slow") && n == 1) {
        try {
          Thread.sleep(3_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] answer = ("answer " + n).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  private DaemonProcess daemon(String node) throws Exception {
    String config = DurableTable.FAST + "webhooks:\n  enabled: true\n  allow: [\"127.0.0.1/32\"]\n  timeout: 1s\n"
        + "  secrets:\n    - {host: 127.0.0.1, secret_env: E2E_WEBHOOK_SECRET}\n"
        + "api:\n  enabled: true\n  port: 0\n  tokens:\n    - {name: relay, token_env: E2E_RELAY_TOKEN, scopes: [submit]}\n";
    DaemonProcess daemon = Daemon.launch(database, Daemon.config("e2e-" + channel + "-" + node, List.of(channel), 4, config),
        Files.createDirectories(directory.resolve(node)), List.of(), List.of(), Map.of("E2E_WEBHOOK_SECRET", SECRET, "E2E_RELAY_TOKEN", TOKEN));
    return daemon.awaitReady(WAIT);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }

  private String enqueue(Map<String, Object> request) throws Exception {
    return table.enqueue("dispatcher.webhook", channel, List.of(request), Map.of());
  }

  @Test
  void deliveriesAreRetriedSignedRefusedAndTimedOutAsTheReceiverAnswers() throws Exception {
    try (DaemonProcess daemon = daemon("a")) {
      // over the API: 202, then three attempts
      Matcher port = API.matcher(daemon.linesContaining("http api on").get(0));
      assertThat(port.find()).isTrue();
      HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port.group(1) + "/api/v1/deliveries"))
          .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
              Map.of("url", url("/flaky"), "method", "POST", "headers", Map.of("Content-Type", "application/json"), "body", "{\"order\": 7}"))))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      OpenApiContract.shipped().check("/deliveries", "POST", 202, JSON.readTree(accepted.body()));
      String flaky = JSON.readTree(accepted.body()).get("uuid").textValue();
      String gone = enqueue(Map.of("url", url("/gone"), "body", "x"));
      String slow = enqueue(Map.of("url", url("/slow"), "timeout", 1));
      String refused = enqueue(Map.of("url", "http://10.1.2.3/hook"));

      await().atMost(WAIT).until(() -> "completed".equals(table.row(flaky).state()));
      List<Hit> attempts = hits.get("/flaky");
      assertThat(attempts).as("two failures, then the success").hasSize(3);
      double first = (attempts.get(1).atNanos() - attempts.get(0).atNanos()) / 1e9;
      double second = (attempts.get(2).atNanos() - attempts.get(1).atNanos()) / 1e9;
      assertThat(first).as("backoff 2 s ± 10%%, plus the claim").isBetween(1.7, 3.3);
      assertThat(second).as("backoff 4 s ± 10%%, plus the claim").isBetween(3.5, 5.6);
      for (Hit hit : attempts) {
        assertThat(hit.id()).as("the same id on every attempt").isEqualTo(flaky);
        assertThat(hit.body()).isEqualTo("{\"order\": 7}");
        assertThat(hit.signature()).isEqualTo(sign(hit.id(), hit.timestamp(), hit.body()));
      }
      DurableTable.Row delivered = table.row(flaky);
      assertThat(delivered.attempt()).isEqualTo(3);
      assertThat(delivered.errors()).hasSize(2);
      assertThat(delivered.errors().get(0).toString()).contains("HTTP 503");
      assertThat(delivered.result().get("status").intValue()).isEqualTo(200);
      assertThat(delivered.result().get("response").textValue()).isEqualTo("answer 3");

      await().atMost(WAIT).until(() -> "failed".equals(table.row(gone).state()));
      assertThat(hits.get("/gone")).as("a 410 is not retried").hasSize(1);
      assertThat(table.row(gone).errors().toString()).contains("HTTP 410");

      await().atMost(WAIT).until(() -> "completed".equals(table.row(slow).state()));
      assertThat(hits.get("/slow")).hasSize(2);
      assertThat(table.row(slow).errors().toString()).contains("no answer within 1000 ms");

      await().atMost(WAIT).until(() -> "failed".equals(table.row(refused).state()));
      assertThat(table.row(refused).attempt()).isEqualTo(1);
      assertThat(table.row(refused).errors().toString()).contains("10.1.2.3", "not in webhooks.allow");
      assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
    }
  }

  @Test
  void aDaemonKilledBetweenAttemptsLeavesTheDeliveryToTheNext() throws Exception {
    String uuid;
    try (DaemonProcess first = daemon("a")) {
      uuid = enqueue(Map.of("url", url("/crash"), "body", "once"));
      await().atMost(WAIT).until(() -> "retryable".equals(table.row(uuid).state()));
      ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL between the attempts
      first.awaitExit(WAIT);
    }
    try (DaemonProcess second = daemon("b")) {
      await().atMost(WAIT).until(() -> "completed".equals(table.row(uuid).state()));
      assertThat(hits.get("/crash")).hasSize(2);
      assertThat(hits.get("/crash").get(1).id()).isEqualTo(uuid);
      assertThat(table.row(uuid).attemptedBy()).isEqualTo("e2e-" + channel + "-b");
      assertThat(second.stop(WAIT)).isZero();
    }
  }

  private static String sign(String id, String timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET_BYTES.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
  }
}
