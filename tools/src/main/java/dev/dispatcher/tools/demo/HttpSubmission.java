package dev.dispatcher.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's HTTP part: one task submitted over the daemon's HTTP API (a durable row, 202), then
 * its status read back over HTTP until it finished, as a client without Java or Postgres would.
 */
final class HttpSubmission {

  /** The API's line in the daemon's log names the port it took (the demo asks for any free one). */
  static final Pattern LISTENING = Pattern.compile("http api on (http://127\\.0\\.0\\.1:\\d+/api/v1/)");
  /** The environment variable the demo's API token is in. */
  static final String TOKEN_ENV = "DISPATCHER_DEMO_API_TOKEN";
  /** What the demo appends to the daemon's config: the API on a free port, its token from the environment. */
  static final String CONFIG = "\n# added by make demo: the HTTP API on a free port\napi:\n  enabled: true\n  port: 0\n  tokens:\n"
      + "    - {name: demo, token_env: " + TOKEN_ENV + ", scopes: [submit, read]}\n";

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private final String base;
  private final String token;

  HttpSubmission(String base, String token) {
    this.base = base;
    this.token = token;
  }

  /** The API's base URL from a log line, or null when the line is not the API's. */
  static String baseUrl(String logLine) {
    Matcher matcher = LISTENING.matcher(logLine);
    return matcher.find() ? matcher.group(1) : null;
  }

  /** Submits sum2(40, 2) over HTTP and waits (bounded) until its row says completed; true when its result is 42. */
  boolean run(Duration timeout) throws Exception {
    String body = "{\"task\": \"dev.dispatcher.demo.DemoTasks.sum2\", \"args\": [40, 2], \"client\": \"demo\"}";
    System.out.println("   POST " + base + "tasks " + body);
    HttpResponse<String> accepted = http.send(request("tasks").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    System.out.println("   -> " + accepted.statusCode() + " " + accepted.body());
    if (accepted.statusCode() != 202) {
      return false;
    }
    String uuid = mapper.readTree(accepted.body()).get("uuid").textValue();
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode status;
    do {
      TimeUnit.MILLISECONDS.sleep(100); // a client polling the status endpoint a few times a second, as a shell script would
      status = mapper.readTree(http.send(request("tasks/" + uuid).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    } while (!status.path("finished_at").isTextual() && System.nanoTime() < deadline);
    System.out.println("   GET " + base + "tasks/" + uuid + " -> state " + status.path("state").asText() + ", result "
        + status.path("result") + ", attempt " + status.path("attempt").asInt() + " on " + status.path("node").asText());
    return status.path("state").asText().equals("completed") && status.path("result").asLong() == 42;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token);
  }
}
