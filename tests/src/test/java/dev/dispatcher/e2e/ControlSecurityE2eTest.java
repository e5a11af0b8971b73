package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.control.ControlSignature;
import dev.dispatcher.demo.DemoTasks;
import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.tools.process.DaemonProcess;
import dev.dispatcher.wire.ChannelNames;
import dev.dispatcher.wire.Notification;
import dev.dispatcher.wire.WireFormat;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Who may control the daemon over NOTIFY: acting commands refused by default and allowed by
 * config, signatures required with a secret, reply_to checked, set_log_level and run checked,
 * and a flood of control messages that leaves the daemon answering with bounded handlers.
 */
@ExtendWith(PostgresExtension.class)
class ControlSecurityE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration REPLY = Duration.ofSeconds(10);
  private static final String SECRET = "e2e-control-secret-0123456789abcdef";
  private final ObjectMapper mapper = WireFormat.newObjectMapper();

  @Test
  void byDefaultActingCommandsAreRefusedCountedAndLoggedWhileReadOnlyOnesAreAnswered(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("ctlsec_default");
    int port = freePort();
    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 2, "metrics:\n  port: " + port + "\n"), directory);
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build();
        ControlClient control = ControlClient.fromUrl(database.url())) {
      String delayed = publisher.task(DemoTasks::hello).withOptions(SubmitOptions.builder().delay(Duration.ofMinutes(5)).build()).delay();
      await().atMost(WAIT).until(() -> control.send(channel, "running", Map.of("uuid", delayed), 1, REPLY).get(0).body()
          .containsKey("delayed-0"));

      ControlReply cancel = control.send(channel, "cancel", Map.of("uuid", delayed), 1, REPLY).get(0);
      ControlReply run = control.send(channel, "run", Map.of("task", "dev.dispatcher.demo.DemoTasks.hello"), 1, REPLY).get(0);
      ControlReply level = control.send(channel, "set_log_level", Map.of("level", "ERROR"), 1, REPLY).get(0);

      for (ControlReply refused : List.of(cancel, run, level)) {
        assertThat(refused.errorMessage()).contains("is not allowed on this daemon", "control.allow");
      }
      assertThat(control.send(channel, "running", Map.of("uuid", delayed), 1, REPLY).get(0).body()).as("not cancelled")
          .containsKey("delayed-0");
      assertThat(daemon.linesContaining("refused (not_allowed)")).hasSize(3);
      @SuppressWarnings("unchecked")
      Map<String, Object> refusals = (Map<String, Object>) control.send(channel, "main", Map.of(), 1, REPLY).get(0).body()
          .get("control_refused");
      assertThat(refusals).containsEntry("not_allowed", 3);
      assertThat(get(port, "/metrics")).contains("dispatcher_control_refused_total{reason=\"not_allowed\"} 3.0",
          "dispatcher_control_refused_total{reason=\"unsigned\"} 0.0", "# TYPE dispatcher_control_handlers_peak gauge");
      assertThat(daemon.output()).as("the level did not change: INFO lines still appear").contains("control command main on");
    }
  }

  @Test
  void allowedActingCommandsRunButOnlyWithDocumentedLevelsAndRegisteredTasksAndNoReplyPassesItsBound(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("ctlsec_allowed");
    Journal journal = new Journal(database);
    String config = Daemon.config(List.of(channel), 2, Daemon.ACTING_COMMANDS_ALLOWED + "  max_reply_kib: 64\n");
    try (DaemonProcess daemon = Daemon.start(database, config, directory);
        ControlClient control = ControlClient.fromUrl(database.url())) {
      for (String level : List.of("OFF", "all")) {
        ControlReply reply = control.send(channel, "set_log_level", Map.of("level", level), 1, REPLY).get(0);
        assertThat(reply.errorMessage()).as(level).isEqualTo("unknown log level \"" + level + "\" (TRACE, DEBUG, INFO, WARN (or WARNING), "
            + "ERROR (or CRITICAL, FATAL), or a Python level number from 1 to 50)");
      }
      String marker = UUID.randomUUID().toString();
      ControlReply ran = control.send(channel, "run", Map.of("task", "dev.dispatcher.demo.DemoTasks.hello", "uuid", marker), 1, REPLY)
          .get(0);
      assertThat(ran.body()).containsKey("ack");
      await().atMost(WAIT).until(() -> journal.runs(marker) == 1);
      assertThat(daemon.linesContaining("task " + marker)).as("still logging at INFO").isNotEmpty();

      // an ack echoes the message: one of 100 kB would pass max_reply_kib, so the reply is withheld
      String big = UUID.randomUUID().toString();
      ControlReply withheld = control.send(channel, "run", Map.of("task", "dev.dispatcher.demo.DemoTasks.insert_row", "uuid", big,
          "args", List.of("n".repeat(100_000))), 1, REPLY).get(0);
      assertThat(withheld.errorMessage()).contains("over this daemon's limit of 65536 bytes", "the command itself was carried out");
      await().atMost(WAIT).until(() -> journal.runs(big) == 1);

      Ctl.Result exit = Ctl.run(database, directory, channel, Map.of(), "run", "--task", "java.lang.System.exit", "--args", "[0]");

      assertThat(exit.stdout()).as(exit.toString()).contains("error: no registered task named 'java.lang.System.exit'")
          .doesNotContain("ack");
      assertThat(control.send(channel, "alive", Map.of(), 1, REPLY)).hasSize(1);
      assertThat(daemon.isAlive()).isTrue();
      assertThat(daemon.linesContaining("dropped task")).as("nothing was acknowledged and then dropped").isEmpty();
    }
  }

  @Test
  void withASecretOnlySignedActingCommandsRunAndAReplayIsRefused(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("ctlsec_signed");
    Journal journal = new Journal(database);
    try (DaemonProcess daemon = Daemon.launch(database, Daemon.config(List.of(channel), 2, Daemon.ACTING_COMMANDS_ALLOWED), directory,
            List.of(), Map.of("DISPATCHER_CONTROL_SECRET", SECRET)).awaitReady(Duration.ofSeconds(60));
        ControlClient unsigned = ControlClient.fromUrl(database.url());
        ControlClient signed = ControlClient.fromUrl(database.url()).withSecret(SECRET)) {
      String refusedUuid = UUID.randomUUID().toString();
      ControlReply refused = unsigned.send(channel, "run", Map.of("task", "dev.dispatcher.demo.DemoTasks.hello", "uuid", refusedUuid), 1,
          REPLY).get(0);
      assertThat(refused.errorMessage()).contains("must be signed");
      try (ControlClient wrongSecret = ControlClient.fromUrl(database.url()).withSecret("x".repeat(40))) {
        ControlReply forged = wrongSecret.send(channel, "run", Map.of("task", "dev.dispatcher.demo.DemoTasks.hello"), 1, REPLY).get(0);
        assertThat(forged.errorMessage()).contains("bad signature");
      }
      assertThat(unsigned.send(channel, "alive", Map.of(), 1, REPLY).get(0).isError()).as("read-only needs no signature").isFalse();

      String acceptedUuid = UUID.randomUUID().toString();
      ControlReply accepted = signed.send(channel, "run", Map.of("task", "dev.dispatcher.demo.DemoTasks.hello", "uuid", acceptedUuid), 1,
          REPLY).get(0);
      assertThat(accepted.isError()).as(accepted.toString()).isFalse();
      await().atMost(WAIT).until(() -> journal.runs(acceptedUuid) == 1);

      // the same signed message twice: the second is a replay
      String replyChannel = "reply_to_" + UUID.randomUUID().toString().replace("-", "");
      String replayedUuid = UUID.randomUUID().toString();
      ObjectNode message = mapper.createObjectNode().put("control", "run").put("reply_to", replyChannel);
      message.putObject("control_data").put("task", "dev.dispatcher.demo.DemoTasks.hello").put("uuid", replayedUuid);
      String once = mapper.writeValueAsString(new ControlSignature(SECRET).sign(message, channel, System.currentTimeMillis() / 1000,
          UUID.randomUUID().toString().replace("-", "")));
      List<JsonNode> replies = exchange(database, List.of(replyChannel), List.of(new Notification(channel, once),
          new Notification(channel, once)), 2);
      assertThat(replies).extracting(reply -> reply.path("error").asText(null))
          .containsExactlyInAnyOrder(null, "this signed message was already received (replayed nonce)");
      await().atMost(WAIT).until(() -> journal.runs(replayedUuid) == 1);

      Ctl.Result viaCtl = Ctl.run(database, directory, channel, Map.of("DISPATCHER_CONTROL_SECRET", SECRET), "run", "--task",
          "dev.dispatcher.demo.DemoTasks.hello", "--uuid", "ctl-signed-" + acceptedUuid);
      assertThat(viaCtl.stdout()).as(viaCtl.toString()).contains("ack:").doesNotContain("error");
      Ctl.Result ctlUnsigned = Ctl.run(database, directory, channel, Map.of(), "run", "--task", "dev.dispatcher.demo.DemoTasks.hello");
      assertThat(ctlUnsigned.stdout()).contains("must be signed");

      await().atMost(WAIT).until(() -> journal.runs("ctl-signed-" + acceptedUuid) == 1);
      assertThat(journal.runs(refusedUuid)).isZero();
      assertThat(daemon.linesContaining("refused (unsigned)")).hasSize(2);
      assertThat(daemon.linesContaining("refused (replayed)")).hasSize(1);
      assertThat(daemon.output()).doesNotContain(SECRET);
    }
  }

  @Test
  void aReplyToThatIsNotAClientReplyChannelGetsNoReplyAndTheCommandDoesNotRun(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("ctlsec_replyto");
    String victim = Daemon.channel("victim");
    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 2, Daemon.ACTING_COMMANDS_ALLOWED), directory);
        Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channel).build();
        ControlClient control = ControlClient.fromUrl(database.url())) {
      String delayed = publisher.task(DemoTasks::hello).withOptions(SubmitOptions.builder().delay(Duration.ofMinutes(5)).build()).delay();
      await().atMost(WAIT).until(() -> control.send(channel, "running", Map.of("uuid", delayed), 1, REPLY).get(0).body()
          .containsKey("delayed-0"));
      String goodReplyTo = "reply_to_" + UUID.randomUUID().toString().replace("-", "");

      // the bad one first: once the good one is answered, the bad one has been decided
      List<JsonNode> replies = exchange(database, List.of(victim, goodReplyTo), List.of(
          new Notification(channel, "{\"control\": \"cancel\", \"reply_to\": \"" + victim + "\", \"control_data\": {\"uuid\": \"" + delayed
              + "\"}}"),
          new Notification(channel, "{\"control\": \"status\", \"reply_to\": \"" + victim + "\"}"),
          new Notification(channel, "{\"control\": \"alive\", \"reply_to\": \"" + goodReplyTo + "\"}")), 1);
      assertThat(replies).singleElement().satisfies(reply -> assertThat(reply.has("error")).isFalse());
      List<JsonNode> more = exchange(database, List.of(victim, goodReplyTo),
          List.of(new Notification(channel, "{\"control\": \"alive\", \"reply_to\": \"" + goodReplyTo + "\"}")), 1);
      assertThat(more).as("nothing ever arrives on " + victim).singleElement()
          .satisfies(reply -> assertThat(reply.get("node_id").asText()).isEqualTo("e2e-" + channel));

      assertThat(control.send(channel, "running", Map.of("uuid", delayed), 1, REPLY).get(0).body()).as("not cancelled")
          .containsKey("delayed-0");
      assertThat(daemon.linesContaining("does not match control.reply_to_pattern")).hasSize(2);
      @SuppressWarnings("unchecked")
      Map<String, Object> refusals = (Map<String, Object>) control.send(channel, "metrics", Map.of(), 1, REPLY).get(0).body()
          .get("control_refused");
      assertThat(refusals).containsEntry("bad_reply_to", 2);
    }
  }

  @Test
  void aFloodOfControlMessagesLeavesTheDaemonAnsweringWithBoundedHandlers(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("ctlsec_flood");
    String config = Daemon.config(List.of(channel), 2, "control:\n  max_handlers: 2\n  max_busy_replies: 2\n");
    try (DaemonProcess daemon = Daemon.start(database, config, directory);
        ControlClient control = ControlClient.fromUrl(database.url())) {
      assertThat(control.send(channel, "status", Map.of(), 1, REPLY)).hasSize(1); // warm: the reply path has run once
      int threadsBefore = osThreads(daemon.pid());
      String sink = "reply_to_" + UUID.randomUUID().toString().replace("-", ""); // a valid reply channel nobody listens on
      List<Notification> flood = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        // distinct payloads: Postgres would fold identical ones of one transaction into one
        flood.add(new Notification(channel, "{\"control\": \"status\", \"reply_to\": \"" + sink + "\", \"control_data\": {\"n\": " + i
            + "}}"));
      }
      int maxThreads = threadsBefore;
      try (Connection connection = database.connect()) {
        connection.setAutoCommit(true);
        for (int round = 0; round < 4; round++) {
          NotifySender.send(connection, flood.subList(round * 5_000, (round + 1) * 5_000));
          maxThreads = Math.max(maxThreads, osThreads(daemon.pid()));
        }
      }

      ControlReply answer = await().atMost(WAIT).until(() -> control.send(channel, "metrics", Map.of(), 1, Duration.ofSeconds(2)),
          replies -> replies.size() == 1 && !replies.get(0).isError()).get(0);
      maxThreads = Math.max(maxThreads, osThreads(daemon.pid()));

      assertThat(((Number) answer.body().get("control_handlers_peak")).intValue()).isBetween(1, 2);
      @SuppressWarnings("unchecked")
      Map<String, Integer> refusals = (Map<String, Integer>) answer.body().get("control_refused");
      assertThat(refusals.getOrDefault("overloaded", 0)).as("the flood went past both bounds: %s", refusals).isPositive();
      assertThat(maxThreads).as("OS threads before the flood: %d", threadsBefore).isLessThanOrEqualTo(threadsBefore + 16);
      assertThat(daemon.linesContaining("answered busy")).isNotEmpty();
      assertThat(daemon.isAlive()).isTrue();
    }
  }

  /**
   * Sends notifications, in order, on one connection that LISTENs on {@code listenOn}; returns the
   * first {@code expected} replies, all of which must arrive on the last channel listened on.
   */
  private List<JsonNode> exchange(TestDatabase database, List<String> listenOn, List<Notification> notifications, int expected)
      throws Exception {
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(true);
      PGConnection pg = connection.unwrap(PGConnection.class);
      try (Statement statement = connection.createStatement()) {
        for (String name : listenOn) {
          statement.execute("LISTEN " + ChannelNames.quoteIdentifier(name));
        }
      }
      for (Notification notification : notifications) {
        // one transaction each: Postgres folds identical notifications of one transaction into one
        NotifySender.send(connection, List.of(notification));
      }
      List<JsonNode> replies = new ArrayList<>();
      long deadline = System.nanoTime() + REPLY.toNanos();
      while (replies.size() < expected && System.nanoTime() < deadline) {
        PGNotification[] received = pg.getNotifications((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (received != null) {
          for (PGNotification notification : received) {
            JsonNode reply = mapper.readTree(notification.getParameter());
            assertThat(notification.getName()).as("a reply on %s: %s", notification.getName(), reply).isEqualTo(listenOn.getLast());
            replies.add(reply);
          }
        }
      }
      return replies;
    }
  }

  /** The process's OS threads, from /proc (Linux). */
  private static int osThreads(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("Threads:")) {
        return Integer.parseInt(line.substring("Threads:".length()).trim());
      }
    }
    throw new IllegalStateException("no Threads line in /proc/" + pid + "/status");
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String get(int port, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    return response.body();
  }
}
