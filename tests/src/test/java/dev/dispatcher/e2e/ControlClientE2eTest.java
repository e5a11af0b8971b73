package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.tools.process.DaemonProcess;
import dev.dispatcher.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control client and the {@code ctl} CLI against two real daemons: each listens on its own
 * channel (which also gives it its node id) and on one shared channel.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlClientE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

  private final String channelA = Daemon.channel("ctl_a");
  private final String channelB = Daemon.channel("ctl_b");
  private final String shared = Daemon.channel("ctl_shared");
  private final String nodeA = "e2e-" + channelA;
  private final String nodeB = "e2e-" + channelB;
  private TestDatabase database;
  private DaemonProcess daemonA;
  private DaemonProcess daemonB;
  private ControlClient control;
  private Path directory;
  private Path cliConfig;

  @BeforeAll
  void startDaemons(TestDatabase database, @TempDir Path directory) throws Exception {
    this.database = database;
    this.directory = directory;
    Path dirA = Files.createDirectories(directory.resolve("a"));
    Path dirB = Files.createDirectories(directory.resolve("b"));
    daemonA = Daemon.start(database, Daemon.config(List.of(channelA, shared), 4, Daemon.ACTING_COMMANDS_ALLOWED), dirA);
    daemonB = Daemon.start(database, Daemon.config(List.of(channelB, shared), 4, Daemon.ACTING_COMMANDS_ALLOWED), dirB);
    control = ControlClient.fromUrl(database.url());
    cliConfig = directory.resolve("ctl.yml");
    Files.writeString(cliConfig, Daemon.config(List.of(shared), 1, ""));
  }

  @AfterAll
  void stopDaemons() throws Exception {
    if (control != null) {
      control.close();
    }
    for (DaemonProcess daemon : new DaemonProcess[] {daemonA, daemonB}) {
      if (daemon != null) {
        daemon.close();
      }
    }
  }

  @Test
  void aliveFromOneDaemonIsJustItsNodeId() {
    List<ControlReply> replies = control.send(channelA, "alive", Map.of(), 1, REPLY_TIMEOUT);

    assertThat(replies).singleElement().satisfies(reply -> {
      assertThat(reply.nodeId()).isEqualTo(nodeA);
      assertThat(reply.body()).isEqualTo(Map.of("node_id", nodeA));
      assertThat(reply.isError()).isFalse();
    });
  }

  @Test
  void bothDaemonsOnASharedChannelReply() {
    List<ControlReply> replies = control.send(shared, "alive", Map.of(), 2, REPLY_TIMEOUT);

    assertThat(replies).extracting(ControlReply::nodeId).containsExactlyInAnyOrder(nodeA, nodeB);
  }

  @Test
  void eachNodesRunningShowsOnlyItsOwnWork() throws Exception {
    try (dev.dispatcher.Publisher publisher = dev.dispatcher.Publisher.builder().url(database.url()).defaultChannel(channelA).build()) {
      String onA = publisher.task(dev.dispatcher.demo.DemoTasks::hello)
          .withOptions(dev.dispatcher.SubmitOptions.builder().delay(Duration.ofMinutes(5)).build()).delay();
      org.awaitility.Awaitility.await().atMost(REPLY_TIMEOUT).until(() ->
          control.send(channelA, "running", Map.of("uuid", onA), 1, REPLY_TIMEOUT).get(0).body().containsKey("delayed-0"));

      List<ControlReply> replies = control.send(shared, "running", Map.of("uuid", onA), 2, REPLY_TIMEOUT);

      assertThat(replies).hasSize(2);
      ControlReply fromA = replies.stream().filter(reply -> reply.nodeId().equals(nodeA)).findFirst().orElseThrow();
      ControlReply fromB = replies.stream().filter(reply -> reply.nodeId().equals(nodeB)).findFirst().orElseThrow();
      assertThat(fromA.body()).containsOnlyKeys("delayed-0", "node_id");
      assertThat(fromB.body()).containsOnlyKeys("node_id");
      assertThat(control.send(channelA, "cancel", Map.of("uuid", onA), 1, REPLY_TIMEOUT).get(0).body()).containsKey("delayed-0");
    }
  }

  @Test
  void anUnknownCommandGetsAnErrorReplyAndTheDaemonStaysUp() {
    List<ControlReply> replies = control.send(channelB, "no_such_command", Map.of(), 1, REPLY_TIMEOUT);

    assertThat(replies).singleElement().satisfies(reply -> {
      assertThat(reply.nodeId()).isEqualTo(nodeB);
      assertThat(reply.isError()).isTrue();
      assertThat(reply.errorMessage()).isEqualTo("No control method no_such_command");
    });
    assertThat(control.send(channelB, "alive", Map.of(), 1, REPLY_TIMEOUT)).extracting(ControlReply::nodeId).containsExactly(nodeB);
    assertThat(daemonB.isAlive()).isTrue();
  }

  @Test
  void aRunningReplyBiggerThanOneNotificationArrivesWhole() throws Exception {
    String note = "n".repeat(300);
    SubmitOptions inAMinute = SubmitOptions.builder().delay(Duration.ofSeconds(60)).build();
    Set<String> uuids = new HashSet<>();
    try (Publisher publisher = Publisher.builder().url(database.url()).defaultChannel(channelA).build()) {
      for (int i = 0; i < 40; i++) {
        uuids.add(publisher.task("dev.dispatcher.demo.DemoTasks.insert_row").withOptions(inAMinute).delay(note + i));
      }
    }

    AtomicReference<ControlReply> last = new AtomicReference<>();
    await().atMost(WAIT).until(() -> {
      List<ControlReply> replies = control.send(channelA, "running", Map.of(), 1, REPLY_TIMEOUT);
      last.set(replies.isEmpty() ? null : replies.get(0));
      return last.get() != null && delayedUuids(last.get()).containsAll(uuids);
    });

    ControlReply reply = last.get();
    assertThat(reply.nodeId()).isEqualTo(nodeA);
    assertThat(WireFormat.newObjectMapper().writeValueAsString(reply.body()).getBytes(StandardCharsets.UTF_8).length)
        .as("the reply needed chunks").isGreaterThan(8000);
    for (Map.Entry<String, Object> entry : reply.body().entrySet()) {
      if (entry.getKey().startsWith("delayed-")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> message = (Map<String, Object>) entry.getValue();
        assertThat(message.get("task")).isEqualTo("dev.dispatcher.demo.DemoTasks.insert_row");
        assertThat(message.get("channel")).isEqualTo(channelA);
        assertThat((List<?>) message.get("args")).singleElement().asString().startsWith(note);
      }
    }

    List<ControlReply> cancelled = control.send(channelA, "cancel", Map.of("task", "dev.dispatcher.demo.DemoTasks.insert_row"), 1, REPLY_TIMEOUT);
    assertThat(cancelled).singleElement().satisfies(r -> assertThat(delayedUuids(r)).containsAll(uuids));
  }

  @Test
  void theCliPrintsBothRepliesAsJsonAndExitsZero() throws Exception {
    Cli result = ctl("alive", "--channel", shared, "--expected-replies", "2", "--timeout", "10", "--json");

    assertThat(result.status()).as(result.toString()).isZero();
    JsonNode replies = WireFormat.newObjectMapper().readTree(result.stdout());
    List<String> nodes = new ArrayList<>();
    replies.forEach(reply -> nodes.add(reply.get("node_id").asText()));
    assertThat(nodes).containsExactlyInAnyOrder(nodeA, nodeB);
  }

  @Test
  void theCliExitsOneWhenFewerRepliesArriveThanExpected() throws Exception {
    Cli result = ctl("alive", "--channel", channelA, "--expected-replies", "2", "--timeout", "1");

    assertThat(result.status()).as(result.toString()).isEqualTo(1);
    assertThat(result.stdout()).contains("node_id: " + nodeA).doesNotContain(nodeB);
    assertThat(result.stderr()).contains("expected 2 replies", "got 1");
  }

  /** BUG: ctl exited 0 when the replies were errors. */
  @Test
  void theCliUsesTheConfigsDefaultChannelAndExitsThreeOnErrorReplies() throws Exception {
    Cli result = ctl("no_such_command", "--expected-replies", "2", "--timeout", "10");

    assertThat(result.status()).as(result.toString()).isEqualTo(3);
    assertThat(result.stdout()).contains("error: No control method no_such_command", "node_id: " + nodeA, "node_id: " + nodeB);
    assertThat(result.stderr()).contains("2 of 2 replies are an error");
  }

  /** BUG: ctl run sent no uuid and no time_pub: the task ran with a made-up uuid and logged "(waited ? ms)". */
  @Test
  void theCliRunsATaskWithAUuidOfItsOwnAndTheRunKnowsItsWait() throws Exception {
    Cli result = ctl("run", "--task", "dev.dispatcher.demo.DemoTasks.hello", "--channel", channelA, "--json");

    assertThat(result.status()).as(result.toString()).isZero();
    JsonNode ack = WireFormat.newObjectMapper().readTree(result.stdout()).get(0).get("ack");
    String uuid = ack.get("uuid").asText();
    assertThat(java.util.UUID.fromString(uuid)).isNotNull();
    assertThat(ack.get("time_pub").isNumber()).isTrue();
    assertThat(daemonA.awaitLine(line -> line.contains("task " + uuid) && line.contains("succeeded"), WAIT)).isTrue();
    assertThat(daemonA.linesContaining("task " + uuid)).filteredOn(line -> line.contains("succeeded")).singleElement().asString()
        .containsPattern("\\(waited [0-9.]+ ms\\)");
  }

  /** BUG: ctl status printed every worker slot; now a summary, and --verbose for all. */
  @Test
  void theCliStatusIsCompactUnlessVerbose() throws Exception {
    Cli compact = ctl("status", "--channel", channelB, "--timeout", "10");
    Cli verbose = ctl("status", "--channel", channelB, "--timeout", "10", "--verbose");

    assertThat(compact.status()).as(compact.toString()).isZero();
    assertThat(compact.stdout()).contains("4 slots: 0 busy, 4 ready", "pg_notify-producer").doesNotContain("worker-3:");
    assertThat(verbose.status()).as(verbose.toString()).isZero();
    assertThat(verbose.stdout()).contains("worker-0:", "worker-3:").doesNotContain("slots:");
  }

  private static Set<String> delayedUuids(ControlReply reply) {
    Set<String> found = new HashSet<>();
    reply.body().forEach((key, value) -> {
      if (key.startsWith("delayed-") && value instanceof Map<?, ?> message) {
        found.add(String.valueOf(message.get("uuid")));
      }
    });
    return found;
  }

  private record Cli(int status, String stdout, String stderr) {}

  /** Runs {@code java -jar dispatcher-standalone.jar ctl ...} with the test config and database. */
  private Cli ctl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(DaemonProcess.currentJava(), "-jar", Daemon.DAEMON_JAR.toAbsolutePath().toString(),
        "ctl"));
    command.addAll(List.of(args));
    command.addAll(List.of("--config", cliConfig.toString()));
    Path stdout = Files.createTempFile(directory, "ctl", ".out");
    Path stderr = Files.createTempFile(directory, "ctl", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    builder.environment().put("DISPATCHER_DATABASE_URL", database.url());
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("ctl " + String.join(" ", args) + " did not finish within 60s");
    }
    return new Cli(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
  }
}
