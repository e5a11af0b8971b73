package dev.dispatcher.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatcher.control.ControlException;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.wire.WireFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/** {@code ctl} option parsing, output and exit status, with a fake sender instead of a database. */
class ControlCommandTest {

  /** What the command handed to the sender. */
  private record Sent(DatabaseUrl database, String channel, String command, Map<String, Object> data, int expected, Duration timeout,
      String secret) {}

  @TempDir
  Path directory;

  private Path config;
  private final List<Sent> sent = new ArrayList<>();
  private List<ControlReply> replies = List.of();
  private RuntimeException failure;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void writeConfig() throws Exception {
    config = directory.resolve("dispatcher.yml");
    Files.writeString(config, """
        database:
          url: postgresql://app:secret@db.example:5433/app_db
        channels: [alpha, beta]
        default_publish_channel: beta
        """);
  }

  private int run(Map<String, String> environment, String... args) {
    ControlCommand.Sender sender = (database, channel, command, data, expected, timeout, secret) -> {
      sent.add(new Sent(database, channel, command, data, expected, timeout, secret));
      if (failure != null) {
        throw failure;
      }
      return replies;
    };
    CommandLine commandLine = new CommandLine(new ControlCommand(environment, sender));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", config.toString()));
    return run(Map.of(), all.toArray(String[]::new));
  }

  private static ControlReply reply(String nodeId, Object... keyValues) {
    Map<String, Object> body = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      body.put((String) keyValues[i], keyValues[i + 1]);
    }
    body.put("node_id", nodeId);
    return new ControlReply(nodeId, body);
  }

  @Test
  void helpListsEveryCommandFromTheStandaloneJar() {
    StringWriter help = new StringWriter();
    CommandLine root = new CommandLine(new DispatcherStandalone());
    root.setOut(new PrintWriter(help, true));

    int status = root.execute("ctl", "--help");

    assertThat(status).isZero();
    for (String command : ControlCommand.COMMANDS) {
      assertThat(help.toString()).containsPattern("(?m)^\\s+" + command + "\\s");
    }
    for (String command : ControlCommand.TABLE_COMMANDS) {
      assertThat(help.toString()).containsPattern("(?m)^\\s+" + command + "\\s");
    }
    assertThat(help.toString()).contains("--expected-replies", "--timeout", "--json", "--channel", "--task", "--uuid",
        "--level", "--args", "--kwargs", "--config", "--verbose");
    assertThat(ControlCommand.COMMANDS).containsExactly("alive", "aio_tasks", "running", "cancel", "workers", "producers", "main",
        "chunks", "metrics", "status", "set_log_level", "run", "suspend", "resume");
  }

  @Test
  void theStandaloneHelpNamesTheCtlSubcommand() {
    StringWriter help = new StringWriter();
    CommandLine root = new CommandLine(new DispatcherStandalone());
    root.setOut(new PrintWriter(help, true));

    assertThat(root.execute("--help")).isZero();
    assertThat(help.toString()).contains("ctl");
  }

  @Test
  void databaseAndChannelComeFromTheConfigAndDefaultsApply() {
    replies = List.of(reply("node-a"));

    int status = run("alive");

    assertThat(status).isZero();
    assertThat(sent).singleElement().satisfies(s -> {
      assertThat(s.database().host()).isEqualTo("db.example");
      assertThat(s.database().port()).isEqualTo(5433);
      assertThat(s.database().password()).isEqualTo("secret");
      assertThat(s.channel()).isEqualTo("beta");
      assertThat(s.command()).isEqualTo("alive");
      assertThat(s.data()).isEmpty();
      assertThat(s.expected()).isEqualTo(1);
      assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
    });
  }

  @Test
  void optionsFillControlDataChannelCountAndTimeout() {
    replies = List.of(reply("a"), reply("b"));

    int status = run("cancel", "--channel", "alpha", "--task", "app.tasks.slow", "--uuid", "u-1",
        "--expected-replies", "2", "--timeout", "0.5");

    assertThat(status).isZero();
    Sent s = sent.get(0);
    assertThat(s.channel()).isEqualTo("alpha");
    assertThat(s.command()).isEqualTo("cancel");
    assertThat(s.data()).containsExactly(Map.entry("task", "app.tasks.slow"), Map.entry("uuid", "u-1"));
    assertThat(s.expected()).isEqualTo(2);
    assertThat(s.timeout()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void runSendsTheTaskMessageWithArgsAndKwargs() {
    replies = List.of(reply("a"));

    int status = run("run", "--task", "dev.dispatcher.demo.DemoTasks.sum2", "--args", "[1, \"two\", {\"x\": null}]",
        "--kwargs", "{\"who\": \"me\", \"n\": 2}");

    assertThat(status).isZero();
    Map<String, Object> data = sent.get(0).data();
    assertThat(data.keySet()).containsExactly("task", "uuid", "args", "kwargs", "time_pub");
    assertThat(data.get("task")).isEqualTo("dev.dispatcher.demo.DemoTasks.sum2");
    List<Object> args = new ArrayList<>();
    args.add(1);
    args.add("two");
    Map<String, Object> third = new LinkedHashMap<>();
    third.put("x", null);
    args.add(third);
    assertThat(data.get("args")).isEqualTo(args);
    assertThat(data.get("kwargs")).isEqualTo(Map.of("who", "me", "n", 2));
  }

  /** BUG: run sent no uuid (a Python daemon names such a task internal-<n>) and no time_pub (its run logged "waited ? ms"). */
  @Test
  void runSendsAUuidAndAPublishTime() {
    replies = List.of(reply("a"));
    double before = System.currentTimeMillis() / 1e3;

    assertThat(run("run", "--task", "t")).isZero();
    assertThat(run("run", "--task", "t", "--uuid", "mine")).isZero();

    Map<String, Object> first = sent.get(0).data();
    assertThat(UUID.fromString((String) first.get("uuid"))).isNotNull();
    assertThat((Double) first.get("time_pub")).isBetween(before - 1, System.currentTimeMillis() / 1e3 + 1);
    assertThat(sent.get(1).data()).containsEntry("uuid", "mine");
    assertThat(sent.get(1).data().get("uuid")).isNotEqualTo(first.get("uuid"));
  }

  /** BUG: --args and --kwargs applied to run only, although running and cancel filter on them. */
  @Test
  void runningAndCancelSendArgsAndKwargsToMatch() {
    replies = List.of(reply("a"));

    assertThat(run("cancel", "--task", "app.sleep", "--args", "[21]")).isZero();
    assertThat(run("running", "--kwargs", "{\"who\": \"me\"}")).isZero();

    assertThat(sent.get(0).data()).containsExactly(Map.entry("task", "app.sleep"), Map.entry("args", List.of(21)));
    assertThat(sent.get(1).data()).containsExactly(Map.entry("kwargs", Map.of("who", "me")));
  }

  @Test
  void setLogLevelSendsTheLevel() {
    replies = List.of(reply("a"));

    assertThat(run("set_log_level", "--level", "DEBUG")).isZero();
    assertThat(sent.get(0).data()).containsExactly(Map.entry("level", "DEBUG"));
  }

  @Test
  void yamlOutputIsABlockListOfRepliesEachWithNodeId() {
    replies = List.of(reply("node-a", "worker-0", Map.of("task", "t", "args", List.of(1, 2))), reply("node-b"));

    int status = run("running", "--expected-replies", "2");

    assertThat(status).isZero();
    String text = out.toString();
    assertThat(text).doesNotContain("{").startsWith("- worker-0:");
    Object parsed = new Yaml().load(text);
    assertThat(parsed).isEqualTo(List.of(
        Map.of("worker-0", Map.of("task", "t", "args", List.of(1, 2)), "node_id", "node-a"),
        Map.of("node_id", "node-b")));
    assertThat(err.toString()).isEmpty();
  }

  /** BUG: ctl exited 0 when a daemon answered with an error (refused, unknown command, bad control_data). */
  @Test
  void jsonOutputIsAnArrayOfRepliesAndAnErrorReplyExitsThree() throws Exception {
    replies = List.of(reply("node-a", "error", "No control method nope"), reply("node-b"));

    int status = run("nope", "--json", "--expected-replies", "2");

    assertThat(status).isEqualTo(3);
    assertThat(err.toString()).contains("1 of 2 replies are an error (node node-a)");
    JsonNode parsed = WireFormat.newObjectMapper().readTree(out.toString());
    assertThat(parsed.isArray()).isTrue();
    assertThat(parsed.size()).isEqualTo(2);
    assertThat(parsed.get(0).get("node_id").asText()).isEqualTo("node-a");
    assertThat(parsed.get(0).get("error").asText()).isEqualTo("No control method nope");
  }

  /** BUG: ctl status printed every worker slot (206 lines for 32 workers) and every waiting task. */
  @Test
  void statusIsCompactUnlessVerbose() {
    Map<String, Object> workers = new LinkedHashMap<>();
    for (int i = 0; i < 32; i++) {
      workers.put("worker-" + i, i == 7 ? Map.of("status", "running", "current_task", "app.slow", "current_task_uuid", "u-7")
          : Map.of("status", "ready", "finished_count", 3));
    }
    Map<String, Object> running = new LinkedHashMap<>();
    running.put("worker-7", Map.of("task", "app.slow", "uuid", "u-7", "started_at", "2026-01-01T00:00:00Z", "elapsed_seconds", 12.5));
    for (int i = 0; i < 50; i++) {
      running.put("queued-" + i, Map.of("task", "app.fast", "uuid", "q-" + i));
    }
    running.put("delayed-0", Map.of("task", "app.later", "uuid", "d-0"));
    replies = List.of(reply("node-a", "running", running, "workers", workers, "main", Map.of("running", 1)));

    assertThat(run("status")).isZero();
    String compact = out.toString();
    out.getBuffer().setLength(0);
    assertThat(run("status", "--verbose")).isZero();
    String verbose = out.toString();

    assertThat(compact).contains("32 slots: 1 busy, 31 ready", "worker-7:", "u-7", "50 queued, 0 blocked, 1 delayed", "elapsed_seconds: 12.5")
        .doesNotContain("worker-0:", "q-0", "d-0");
    assertThat(compact.lines().count()).isLessThan(30);
    assertThat(verbose).contains("worker-0:", "worker-31:", "q-49", "d-0").doesNotContain("slots:");
    @SuppressWarnings("unchecked")
    Map<String, Object> parsed = (Map<String, Object>) ((List<Object>) new Yaml().load(compact)).get(0);
    assertThat(parsed).containsEntry("node_id", "node-a").containsEntry("main", Map.of("running", 1));
  }

  @Test
  void fewerRepliesThanExpectedPrintsWhatCameAndExitsOne() {
    replies = List.of(reply("node-a"));

    int status = run("alive", "--expected-replies", "2", "--timeout", "1");

    assertThat(status).isEqualTo(1);
    assertThat(out.toString()).contains("node_id: node-a");
    assertThat(err.toString()).contains("expected 2 replies on channel 'beta' within 1.0s, got 1");
  }

  @Test
  void noReplyAtAllPrintsAnEmptyListAndExitsOne() {
    int status = run("alive", "--json");

    assertThat(status).isEqualTo(1);
    assertThat(out.toString().strip()).isEqualTo("[ ]");
    assertThat(err.toString()).contains("expected 1 reply", "got 0");
  }

  @Test
  void aDatabaseFailureExitsOneWithTheMessage() {
    failure = new ControlException("control 'alive' on channel 'beta' failed: connection refused", new SQLException("refused"));

    int status = run("alive");

    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).contains("error: control 'alive' on channel 'beta' failed: connection refused");
  }

  @Test
  void theConfigFileComesFromDispatcherConfigAndTheUrlFromTheEnvironment() {
    replies = List.of(reply("a"));

    int status = run(Map.of("DISPATCHER_CONFIG", config.toString(), "DISPATCHER_DATABASE_URL", "postgresql://other@elsewhere/x"), "alive");

    assertThat(status).isZero();
    assertThat(sent.get(0).database().host()).isEqualTo("elsewhere");
  }

  @Test
  void theControlSecretComesFromTheEnvironmentAndIsHandedToTheSender() {
    replies = List.of(reply("a"));
    String secret = "s".repeat(40);

    assertThat(run(Map.of("DISPATCHER_CONFIG", config.toString(), "DISPATCHER_CONTROL_SECRET", secret), "cancel", "--uuid", "u")).isZero();
    assertThat(run("cancel", "--uuid", "u")).isZero();

    assertThat(sent).extracting(Sent::secret).containsExactly(secret, null);
  }

  @Test
  void aTooShortControlSecretIsAConfigErrorNamingTheVariableNotTheValue() {
    int status = run(Map.of("DISPATCHER_CONFIG", config.toString(), "DISPATCHER_CONTROL_SECRET", "hunter2"), "alive");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("config error: DISPATCHER_CONTROL_SECRET: ", "at least 32 characters").doesNotContain("hunter2");
    assertThat(sent).isEmpty();
  }

  @Test
  void aMissingConfigFileIsAConfigErrorNamingConfig() {
    int status = run(Map.of(), "alive", "--config", directory.resolve("absent.yml").toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("config error: --config: file not found");
    assertThat(sent).isEmpty();
  }

  @Test
  void aConfigWithoutDatabaseUrlIsAConfigErrorNamingTheKey() throws Exception {
    Files.writeString(config, "channels: [alpha]\n");

    int status = run("alive");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("config error: database");
  }

  @Test
  void usageErrorsExitTwoAndNameTheOption() {
    assertUsageError(List.of("alive", "--args", "[1]"), "--args: only applies to run, running and cancel");
    assertUsageError(List.of("status", "--kwargs", "{}"), "--kwargs: only applies to run, running and cancel");
    assertUsageError(List.of("cancel", "--args", "{}"), "--args: must be a JSON array");
    assertUsageError(List.of("run"), "--task: is required for run");
    assertUsageError(List.of("run", "--task", "t", "--args", "{\"a\": 1}"), "--args: must be a JSON array");
    assertUsageError(List.of("run", "--task", "t", "--kwargs", "[1]"), "--kwargs: must be a JSON object");
    assertUsageError(List.of("run", "--task", "t", "--args", "[1"), "--args: must be a JSON array");
    assertUsageError(List.of("set_log_level"), "--level: is required for set_log_level");
    assertUsageError(List.of("alive", "--expected-replies", "0"), "--expected-replies: must be at least 1");
    assertUsageError(List.of("alive", "--timeout", "0"), "--timeout: must be more than 0");
    assertUsageError(List.of("alive", "--channel", "x".repeat(64)), "--channel: channel name");
    assertUsageError(List.of("alive", "--timeout", "soon"), "--timeout");
    assertUsageError(List.of("alive", "--no-such-option"), "--no-such-option");
    assertUsageError(List.of(), "COMMAND");
    assertThat(sent).isEmpty();
  }

  private void assertUsageError(List<String> args, String message) {
    err.getBuffer().setLength(0);
    int status = run(args.toArray(String[]::new));
    assertThat(status).as("%s", args).isEqualTo(2);
    assertThat(err.toString()).as("%s", args).contains(message);
  }
}
