package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of a real daemon through a real HTTP client: submit (202, idempotent by uuid, every
 * error status), auth (401, 403), rate limit (429), task types with suspend and resume, nodes,
 * schedules, readiness and the OpenAPI document; cancel and retry of a row, and the status events stream.
 */
@ExtendWith(PostgresExtension.class)
class HttpApiE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SUBMIT = "s".repeat(40);
  private static final String READ = "r".repeat(40);
  private static final String ADMIN = "a".repeat(40);
  private static final Pattern LISTENING = Pattern.compile("http api on http://127\\.0\\.0\\.1:(\\d+)/api/v1/");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final OpenApiContract contract = OpenApiContract.shipped();
  private DaemonProcess daemon;
  private String base;
  private String channel;
  private DurableTable table;

  @BeforeEach
  void start(TestDatabase database, @TempDir Path directory) throws Exception {
    channel = Daemon.channel("http_api");
    table = new DurableTable(database);
    String api = "api:\n  enabled: true\n  port: 0\n  max_body_kib: 4\n  requests_per_second: 1\n  burst: 1000\n  tokens:\n"
        + "    - {name: shop, token_env: E2E_SUBMIT, scopes: [submit]}\n"
        + "    - {name: dashboard, token_env: E2E_READ, scopes: [read]}\n"
        + "    - {name: ops, token_env: E2E_ADMIN, scopes: [read, admin, submit]}\n"
        + "events:\n  enabled: true\n  channel: " + channel + "_events\n"
        + "control:\n  allow: [cancel]\n"
        + "schedules:\n  nightly:\n    task: " + DurableTestTasks.NOOP + "\n    cron: \"0 3 * * *\"\n";
    daemon = Daemon.launch(database, Daemon.config(List.of(channel), 2, DurableTable.FAST + api), directory, List.of(), List.of(),
        Map.of("E2E_SUBMIT", SUBMIT, "E2E_READ", READ, "E2E_ADMIN", ADMIN));
    daemon.awaitReady(WAIT);
    String line = daemon.linesContaining("http api on").get(0);
    Matcher port = LISTENING.matcher(line);
    assertThat(port.find()).as(line).isTrue();
    base = "http://127.0.0.1:" + port.group(1) + "/api/v1/";
    assertThat(line).doesNotContain(SUBMIT).doesNotContain(READ).doesNotContain(ADMIN);
  }

  @AfterEach
  void stop() throws Exception {
    assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();
    assertThat(daemon.output()).as("no token in the log").doesNotContain(SUBMIT).doesNotContain(READ).doesNotContain(ADMIN);
  }

  HttpApiE2eTest() throws java.io.IOException {}

  @Test
  void aSubmissionIsCommittedRunsAndIsIdempotentByUuid() throws Exception {
    String uuid = UUID.randomUUID().toString();
    String body = "{\"task\": \"" + DurableTestTasks.RECORD + "\", \"channel\": \"" + channel + "\", \"uuid\": \"" + uuid + "\"}";
    HttpResponse<String> first = post("tasks", SUBMIT, body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    JsonNode accepted = JSON.readTree(first.body());
    assertThat(accepted.get("uuid").textValue()).isEqualTo(uuid);
    assertThat(accepted.get("created").booleanValue()).isTrue();
    assertThat(accepted.get("state").textValue()).isEqualTo("available");
    assertThat(accepted.at("/links/self").textValue()).isEqualTo("/api/v1/tasks/" + uuid);
    await().atMost(WAIT).until(() -> table.count(channel, "completed") == 1);

    HttpResponse<String> again = post("tasks", SUBMIT, body);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(JSON.readTree(again.body()).get("created").booleanValue()).isFalse();
    assertThat(JSON.readTree(again.body()).get("state").textValue()).isEqualTo("completed");
    assertThat(table.runCounts(channel)).containsExactly(Map.entry(uuid, 1));
    HttpResponse<String> status = get("tasks/" + uuid, READ);
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    JsonNode row = JSON.readTree(status.body());
    assertThat(row.get("state").textValue()).isEqualTo("completed");
    assertThat(row.get("task").textValue()).isEqualTo(DurableTestTasks.RECORD);
    assertThat(row.get("attempt").intValue()).isEqualTo(1);
    assertThat(row.get("node").textValue()).isEqualTo("e2e-" + channel);
    assertThat(row.get("finished_at").textValue()).isNotNull();
    assertThat(row.at("/links/self").textValue()).isEqualTo("/api/v1/tasks/" + uuid);
    assertError(get("tasks/" + UUID.randomUUID(), READ), 404, "no task");
    assertError(get("tasks/nope", READ), 400, "is not a uuid");
    assertError(get("tasks/" + uuid, SUBMIT), 403, "lacks the scope read");

    HttpResponse<String> delayed = post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"channel\": \"" + channel
        + "\", \"delay\": 3600, \"priority\": 5, \"max_attempts\": 2}");
    assertThat(delayed.statusCode()).as(delayed.body()).isEqualTo(202);
    assertThat(JSON.readTree(delayed.body()).get("state").textValue()).isEqualTo("scheduled");
  }

  @Test
  void everyErrorHasItsStatusAndSaysWhy() throws Exception {
    assertError(post("tasks", null, "{}"), 401, "bearer token is required");
    assertError(post("tasks", "x".repeat(40), "{}"), 401, "bearer token is required");
    assertError(post("tasks", READ, "{\"task\": \"" + DurableTestTasks.NOOP + "\"}"), 403, "lacks the scope submit");
    assertError(get("task-types", SUBMIT), 403, "lacks the scope read");
    assertError(post("task-types/" + DurableTestTasks.NOOP + "/suspend", READ, ""), 403, "lacks the scope admin");
    assertError(post("tasks", SUBMIT, "{\"task\": \"no.such.task\"}"), 422, "no registered task named 'no.such.task'");
    assertError(post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.SLOW + "\", \"args\": [\"not a number\"]}"), 422, "");
    assertError(post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"colour\": 1}"), 400, "unknown field(s) colour");
    assertError(post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"delay\": -1}"), 400, "delay must be a number");
    assertError(post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"uuid\": \"nope\"}"), 400, "uuid must be a UUID");
    assertError(post("tasks", SUBMIT, "[1, 2]"), 400, "must be a JSON object");
    HttpResponse<String> broken = post("tasks", SUBMIT, "{\"task\":\n  \"x\",, }");
    assertError(broken, 400, "not valid JSON");
    JsonNode position = JSON.readTree(broken.body()).at("/error/position");
    assertThat(position.get("line").intValue()).isEqualTo(2);
    assertThat(position.get("column").intValue()).isGreaterThan(1);
    assertError(post("tasks", SUBMIT, "{\"task\": \"" + "x".repeat(5000) + "\"}"), 413, "over this API's limit of 4096 bytes");
    assertError(put("tasks", SUBMIT), 405, "use GET or POST");
    assertError(post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"client\": \"\"}"), 400, "client must be 1 to 100");
    assertError(get("no-such-thing", READ), 404, "no such endpoint");
  }

  @Test
  void aTokenPastItsRateGets429WithRetryAfter() throws Exception {
    HttpResponse<String> last = null;
    for (int i = 0; i < 1_100 && (last == null || last.statusCode() != 429); i++) {
      last = get("schedules", READ);
    }
    assertThat(last.statusCode()).as(last.body()).isEqualTo(429);
    assertThat(last.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(get("schedules", ADMIN).statusCode()).as("another token has its own budget").isEqualTo(200);
  }

  @Test
  void taskTypesNodesSchedulesReadinessAndTheDocument() throws Exception {
    post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"channel\": \"" + channel + "\", \"delay\": 3600}");
    JsonNode types = JSON.readTree(get("task-types", READ).body());
    JsonNode noop = null;
    for (JsonNode type : types.get("task_types")) {
      if (type.get("name").textValue().equals(DurableTestTasks.NOOP)) {
        noop = type;
      }
    }
    assertThat(noop).as(types.toString()).isNotNull();
    assertThat(noop.get("suspended").booleanValue()).isFalse();
    assertThat(noop.at("/counts/scheduled").longValue()).isEqualTo(1);

    HttpResponse<String> suspended = post("task-types/" + DurableTestTasks.NOOP + "/suspend", ADMIN, "");
    assertThat(suspended.statusCode()).as(suspended.body()).isEqualTo(200);
    assertThat(JSON.readTree(suspended.body()).get("changed").booleanValue()).isTrue();
    assertThat(JSON.readTree(get("task-types", READ).body()).get("suspended").toString()).contains(DurableTestTasks.NOOP);
    assertError(post("task-types/no.such.task/suspend", ADMIN, ""), 404, "no registered task");
    HttpResponse<String> resumed = post("task-types/" + DurableTestTasks.NOOP + "/resume", ADMIN, "");
    assertThat(JSON.readTree(resumed.body()).get("suspended").booleanValue()).isFalse();

    JsonNode nodes = JSON.readTree(get("nodes", READ).body()).get("nodes");
    assertThat(nodes).hasSize(1);
    assertThat(nodes.get(0).get("channels").toString()).contains(channel);
    assertThat(nodes.get(0).get("health").textValue()).isEqualTo("ok");

    JsonNode schedules = JSON.readTree(get("schedules", READ).body()).get("schedules");
    assertThat(schedules).hasSize(1);
    assertThat(schedules.get(0).get("name").textValue()).isEqualTo("nightly");
    assertThat(schedules.get(0).get("cron").textValue()).isEqualTo("0 3 * * *");

    HttpResponse<String> ready = get("ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonNode document = JSON.readTree(get("openapi.json", null).body());
    assertThat(document).as("the served document is the one checked").isEqualTo(contract.document());
    assertThat(document.get("openapi").textValue()).startsWith("3.");
    assertThat(document.get("paths").has("/tasks")).isTrue();
  }

  @Test
  void aSubmissionWithCacheForIsAnsweredByAFreshResultOfTheSameTaskAndArguments() throws Exception {
    String body = "{\"task\": \"" + DurableTestTasks.FAIL_TIMES + "\", \"channel\": \"" + channel + "\", \"args\": [0], \"cache_for\": 600}";
    HttpResponse<String> first = post("tasks", SUBMIT, body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    assertThat(JSON.readTree(first.body()).get("cached").booleanValue()).isFalse();
    String uuid = JSON.readTree(first.body()).get("uuid").textValue();
    await().atMost(WAIT).until(() -> "completed".equals(table.row(uuid).state()));

    HttpResponse<String> again = post("tasks", SUBMIT, body);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(again.body());
    assertThat(answer.get("cached").booleanValue()).isTrue();
    assertThat(answer.get("created").booleanValue()).isFalse();
    assertThat(answer.get("uuid").textValue()).isEqualTo(uuid);
    assertThat(JSON.readTree(get("tasks/" + uuid, READ).body()).get("result").textValue()).isEqualTo("succeeded at attempt 1");
    assertThat(table.runCounts(channel)).containsExactly(Map.entry(uuid, 1));

    HttpResponse<String> fresh = post("tasks", SUBMIT, body.replace("600", "0"));
    assertThat(fresh.statusCode()).as("cache_for 0 runs it again: %s", fresh.body()).isEqualTo(202);
    HttpResponse<String> otherArguments = post("tasks", SUBMIT, body.replace("[0]", "[1]"));
    assertThat(otherArguments.statusCode()).as("other arguments miss: %s", otherArguments.body()).isEqualTo(202);
    assertError(post("tasks", SUBMIT, body.replace("}", ", \"uuid\": \"" + UUID.randomUUID() + "\"}")), 400,
        "cache_for and uuid exclude each other");
  }

  @Test
  void aClientsRequestsAreListedNewestFirstPageByPage() throws Exception {
    List<String> submitted = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> accepted = post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"channel\": \"" + channel
          + "\", \"client\": \"shop\"" + (i == 4 ? ", \"delay\": 3600" : "") + "}");
      submitted.add(0, JSON.readTree(accepted.body()).get("uuid").textValue()); // newest first
    }
    post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"channel\": \"" + channel + "\", \"client\": \"other\"}");
    await().atMost(WAIT).until(() -> table.count(channel, "completed") == 5);

    JsonNode first = JSON.readTree(get("tasks?client=shop&limit=3", READ).body());
    assertThat(first.get("requests")).extracting(r -> r.get("uuid").textValue()).containsExactlyElementsOf(submitted.subList(0, 3));
    assertThat(first.get("next_cursor").isTextual()).isTrue();
    String next = first.at("/links/next").textValue();
    assertThat(next).startsWith("/api/v1/tasks?client=shop&limit=3&cursor=");
    JsonNode second = JSON.readTree(get(next.substring("/api/v1/".length()), READ).body());
    assertThat(second.get("requests")).extracting(r -> r.get("uuid").textValue()).containsExactlyElementsOf(submitted.subList(3, 5));
    assertThat(second.get("next_cursor").isNull()).isTrue();

    JsonNode scheduled = JSON.readTree(get("tasks?client=shop&state=scheduled", READ).body());
    assertThat(scheduled.get("requests")).extracting(r -> r.get("uuid").textValue()).containsExactly(submitted.get(0));
    assertThat(JSON.readTree(get("tasks?client=shop&task=no.such", READ).body()).get("requests")).isEmpty();
    assertError(get("tasks", READ), 400, "client is required");
    assertError(get("tasks?client=shop&state=sleeping", READ), 400, "state must be one of");
    assertError(get("tasks?client=shop&limit=5000", READ), 400, "limit must be from 1 to 1000");
    assertError(get("tasks?client=shop&cursor=garbage", READ), 400, "");
    assertError(get("tasks?client=shop&colour=red", READ), 400, "unknown query parameter 'colour'");
  }

  @Test
  void cancelAndRetryActOnTheRowAndTheEventStreamShowsWhatHappened() throws Exception {
    String slow = UUID.randomUUID().toString();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    HttpRequest stream = HttpRequest.newBuilder(URI.create(base + "events?uuid=" + slow)).header("Authorization", "Bearer " + READ).GET().build();
    // ofLines: the response is there once its headers are; its lines are read as they come, on a thread of the test's
    HttpResponse<java.util.stream.Stream<String>> streaming = http.send(stream, HttpResponse.BodyHandlers.ofLines());
    assertThat(streaming.statusCode()).isEqualTo(200);
    assertThat(streaming.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    Thread.ofVirtual().start(() -> streaming.body().forEach(lines::add));
    await().atMost(WAIT).until(() -> lines.contains(": dispatcher status events"));

    assertThat(post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.SLOW + "\", \"channel\": \"" + channel + "\", \"uuid\": \"" + slow
        + "\", \"args\": [60]}").statusCode()).isEqualTo(202);
    await().atMost(WAIT).until(() -> table.runsOf(slow).size() == 1);
    HttpResponse<String> cancel = post("tasks/" + slow + "/cancel", ADMIN, "");
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
    JsonNode requested = JSON.readTree(cancel.body());
    assertThat(requested.get("state").textValue()).isEqualTo("running");
    assertThat(requested.at("/nodes/0/cancelled").intValue()).isEqualTo(1);
    await().atMost(WAIT).until(() -> table.row(slow).state().equals("cancelled"));
    await().atMost(WAIT).until(() -> lines.contains("event: cancelled"));
    List<String> data = lines.stream().filter(line -> line.startsWith("data: ")).toList();
    assertThat(data).hasSize(2).allSatisfy(line -> assertThat(line).contains("\"uuid\":\"" + slow + "\""));
    assertThat(lines).containsSubsequence("event: started", "event: cancelled");

    HttpResponse<String> waiting = post("tasks", SUBMIT, "{\"task\": \"" + DurableTestTasks.NOOP + "\", \"channel\": \"" + channel
        + "\", \"delay\": 3600}");
    String later = JSON.readTree(waiting.body()).get("uuid").textValue();
    HttpResponse<String> cancelled = post("tasks/" + later + "/cancel", ADMIN, "");
    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
    assertThat(JSON.readTree(cancelled.body()).get("state").textValue()).isEqualTo("cancelled");
    assertError(post("tasks/" + later + "/cancel", ADMIN, ""), 409, "the task is cancelled");

    HttpResponse<String> retried = post("tasks/" + later + "/retry", ADMIN, "");
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(JSON.readTree(retried.body()).get("state").textValue()).isEqualTo("available");
    await().atMost(WAIT).until(() -> table.row(later).state().equals("completed")); // due at once: a retry does not wait for its delay
    assertError(post("tasks/" + later + "/retry", ADMIN, ""), 409, "the task is completed: only a failed or cancelled task can be retried");
    assertError(post("tasks/" + UUID.randomUUID() + "/retry", ADMIN, ""), 404, "no durable task");
    assertError(post("tasks/not-a-uuid/cancel", ADMIN, ""), 400, "is not a uuid");
    assertError(post("tasks/" + later + "/cancel", SUBMIT, ""), 403, "lacks the scope admin");
    assertError(get("events", SUBMIT), 403, "lacks the scope read");
  }

  private static void assertError(HttpResponse<String> response, int status, String message) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("status").intValue()).isEqualTo(status);
    assertThat(error.get("message").textValue()).contains(message);
    if (status == 401) {
      assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value -> assertThat(value).startsWith("Bearer"));
    }
  }

  private HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return checked(path, "POST", http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** Every answer of a documented operation must be what the OpenAPI document says. */
  private HttpResponse<String> checked(String path, String method, HttpResponse<String> response) throws Exception {
    String template = "/" + path.replaceFirst("\\?.*$", "").replaceFirst("^task-types/[^/]+/", "task-types/{name}/")
        .replaceFirst("^tasks/[^/]+/", "tasks/{uuid}/").replaceFirst("^tasks/[^/]+$", "tasks/{uuid}");
    if (contract.documents(template, method)) {
      contract.check(template, method, response.statusCode(), JSON.readTree(response.body()));
    }
    return response;
  }

  private HttpResponse<String> put(String path, String token) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT).header("Authorization", "Bearer " + token)
        .PUT(HttpRequest.BodyPublishers.ofString("{}")).build();
    return checked(path, "PUT", http.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return checked(path, "GET", http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
  }
}
