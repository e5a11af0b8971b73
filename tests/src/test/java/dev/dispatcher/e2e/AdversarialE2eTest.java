package dev.dispatcher.e2e;

import static org.awaitility.Awaitility.await;

import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.tools.fuzz.FuzzMessage;
import dev.dispatcher.tools.fuzz.HostileMessages;
import dev.dispatcher.tools.fuzz.Kind;
import dev.dispatcher.tools.fuzz.Mix;
import dev.dispatcher.tools.fuzz.SentCounts;
import dev.dispatcher.tools.fuzz.Targets;
import dev.dispatcher.tools.process.DaemonProcess;
import dev.dispatcher.wire.Notification;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adversarial suite (issue 7, docs/reliability.md): the real daemon, started with
 * {@value #MAX_HEAP} of heap and the default configuration (plus a metrics port and a 5 s chunk
 * timeout), receives hostile messages from {@link HostileMessages} interleaved with valid demo
 * tasks, and afterwards
 * <ul>
 *   <li>every valid task ran exactly once and succeeded (cancels from the hostile side are refused),</li>
 *   <li>the process is alive, {@code GET /health} answers 200 and an {@code alive} control command is answered,</li>
 *   <li>no unauthorised acting command had an effect: no row from a hostile {@code run}, logging not turned off,
 *       no reply sent to another listener's channel,</li>
 *   <li>no implausible {@code time_pub} reached the queue-wait histogram,</li>
 *   <li>the heap stayed bounded: the whole run fits in {@value #MAX_HEAP} (the daemon runs with
 *       {@code -XX:+ExitOnOutOfMemoryError}, so an exhausted heap ends it); the live heap (after a full
 *       GC, sampled 20 times during the run) stays under {@link #PEAK_LIVE_HEAP_BOUND}; and within 30 s
 *       of the end it is back under {@link #LIVE_HEAP_BOUND} (what the flood leaves is what the daemon keeps by
 *       design: delayed tasks, within their bound).</li>
 * </ul>
 *
 * <p>The sender keeps at most {@value #MAX_IN_FLIGHT} notifications ahead of what the daemon has
 * received: the messages are hostile, the rate is not (a flood faster than the daemon can read
 * must fill any bounded backlog, and then valid messages are lost too).
 *
 * <p>Short by default ({@code make test}); {@code make fuzz} runs it with
 * {@code -Ddispatcher.fuzz.messages=1000000}. {@code -Ddispatcher.fuzz.seed=N} picks another mix,
 * {@code -Ddispatcher.fuzz.exclude=chunk_huge_total,...} leaves kinds out (to find which kind a
 * failure comes from).
 */
@ExtendWith(PostgresExtension.class)
class AdversarialE2eTest {

  private static final int MESSAGES = Integer.getInteger("dispatcher.fuzz.messages", 15_000);
  private static final long SEED = Long.getLong("dispatcher.fuzz.seed", 7L);
  private static final String EXCLUDE = System.getProperty("dispatcher.fuzz.exclude", "");

  private static final String MAX_HEAP = "192m";
  /** Live heap (after a full GC) the daemon must stay under while the flood lasts: two thirds of the heap. */
  private static final long PEAK_LIVE_HEAP_BOUND = 128L << 20;
  /**
   * Live heap (after a full GC) the daemon must be back under once the flood is over: its own
   * (about 14 MiB) plus what it keeps by design, the delayed tasks of the flood (delays up to
   * limits.max_delay), which limits.max_delayed_mib bounds at an eighth of the heap (24 MiB
   * estimated), with room for the estimate's error: half the heap.
   */
  private static final long LIVE_HEAP_BOUND = 96L << 20;
  private static final int WORKERS = 4;
  /** Generated messages per statement (one round trip, one transaction). */
  private static final int STATEMENT = 250;
  private static final long MAX_IN_FLIGHT = 4_000;
  /** How long the daemon may go without reading anything before the run is declared stalled. */
  private static final Duration STALL = Duration.ofSeconds(60);
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final Duration ANSWER = Duration.ofSeconds(10);
  /** The daemon's rate limit on reject lines: 20 per reason in this window, then one summary line. */
  private static final Duration REJECT_LOG_WINDOW = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void hostileMessagesLeaveEveryValidTaskRunOnceAndTheDaemonHealthyWithinItsHeap(TestDatabase database, @TempDir Path directory)
      throws Exception {
    String channel = Daemon.channel("fuzz");
    String tag = channel.substring("fuzz_".length());
    Targets targets = new Targets(tag, channel, Daemon.channel("fuzz_victim"));
    Mix mix = mix();
    int port = freePort();
    String config = Daemon.config(List.of(channel), WORKERS, "metrics:\n  port: " + port + "\nchunks:\n  timeout: 5s\n");
    System.out.printf(Locale.ROOT, "adversarial run: %,d messages, seed %d, -Xmx%s, %s%n", MESSAGES, SEED, MAX_HEAP,
        EXCLUDE.isBlank() ? "every kind" : "without " + EXCLUDE);

    try (DaemonProcess daemon = Daemon.start(database, config, directory, List.of("-Xmx" + MAX_HEAP));
        ChannelWatch victim = ChannelWatch.listen(database, targets.victimChannel());
        HeapProbe heap = HeapProbe.attach(daemon.pid());
        Connection connection = database.connect();
        ControlClient control = ControlClient.fromUrl(database.url())) {
      Metrics metrics = new Metrics(port, channel);
      long baseline = heap.liveBytes();
      Sent sent = send(new HostileMessages(SEED, mix, targets, Clock.systemUTC()), connection, channel, daemon, metrics, heap, victim);
      awaitOrStop(daemon, metrics, sent, "reading what was sent", () -> metrics.received() >= sent.delivered);

      Duration validWait = Duration.ofSeconds(60 + MESSAGES / 10_000);
      ValidRuns runs = awaitValidRuns(database, sent.validUuids, validWait);
      boolean aliveAfterRun = daemon.isAlive();
      int health = aliveAfterRun ? metrics.healthStatus() : -1;
      List<ControlReply> alive = aliveAfterRun ? control.send(channel, "alive", Map.of(), 1, ANSWER) : List.of();
      Map<String, Object> counters = aliveAfterRun ? body(control.send(channel, "metrics", Map.of(), 1, ANSWER)) : Map.of();
      Map<String, Object> main = aliveAfterRun ? body(control.send(channel, "main", Map.of(), 1, ANSWER)) : Map.of();
      Map<String, Object> chunks = aliveAfterRun ? body(control.send(channel, "chunks", Map.of(), 1, ANSWER)) : Map.of();
      boolean stillLogs = aliveAfterRun && logsAfterAHostileSetLogLevelOff(daemon, control, connection, channel);
      long unauthorisedRows = rowsWithNotePrefix(database, targets.runNotePrefix());
      long victimReplies = victim.poll(500);
      QueueWait wait = aliveAfterRun ? metrics.queueWait() : new QueueWait(Double.NaN, Double.NaN);
      long settledLive = aliveAfterRun ? settledLiveHeap(heap) : -1;

      System.out.println(report(sent, runs, daemon, health, alive, counters, main, chunks, stillLogs, unauthorisedRows, victimReplies,
          wait, baseline, settledLive));

      SoftAssertions checks = new SoftAssertions();
      checks.assertThat(aliveAfterRun).as("the daemon is alive after the run (%s)", exitOf(daemon)).isTrue();
      checks.assertThat(runs.problems()).as("valid tasks that did not run exactly once and succeed (%d sent)", sent.validUuids.size())
          .isEmpty();
      checks.assertThat(health).as("GET /health status").isEqualTo(200);
      checks.assertThat(alive).as("replies to an alive control command within %d s, none an error", ANSWER.toSeconds()).hasSize(1)
          .noneMatch(reply -> reply.body().containsKey("error"));
      checks.assertThat(unauthorisedRows).as("rows inserted by hostile `run` control commands (acting commands must be refused)")
          .isZero();
      checks.assertThat(stillLogs).as("the daemon still logs a rejected message after a hostile set_log_level OFF").isTrue();
      checks.assertThat(victimReplies).as("replies sent to another listener's channel named as reply_to (first: %s)",
          victim.firstPayloads()).isZero();
      checks.assertThat(wait.longest()).as("longest publish-to-start wait of a task in /metrics, seconds (implausible"
          + " time_pub values must be ignored)").isBetween(0.0, 3600.0);
      checks.assertThat(wait.smallestSum()).as("smallest sum of publish-to-start waits of a task in /metrics, seconds").isNotNegative();
      checks.assertThat(sent.peakLive).as("peak live heap during the run (sampled after full GCs)").isLessThanOrEqualTo(PEAK_LIVE_HEAP_BOUND);
      checks.assertThat(settledLive).as("live heap after a full GC, %d s after the run (baseline before it: %d MiB)",
          SETTLE.toSeconds(), baseline >> 20).isBetween(0L, LIVE_HEAP_BOUND);
      checks.assertAll();
    }
  }

  private static Mix mix() {
    if (EXCLUDE.isBlank()) {
      return Mix.standard();
    }
    return Mix.standard().without(Arrays.stream(EXCLUDE.split(",")).map(Kind::fromLabel).toList());
  }

  /** What the sender did. */
  private static final class Sent {
    final SentCounts counts = new SentCounts();
    final List<String> validUuids = new ArrayList<>();
    /** Notifications Postgres delivers: it folds identical payloads of one transaction into one. */
    long delivered;
    long peakUsed;
    long peakLive;
    double seconds;
  }

  private Sent send(HostileMessages generator, Connection connection, String channel, DaemonProcess daemon, Metrics metrics,
      HeapProbe heap, ChannelWatch victim) throws Exception {
    Sent sent = new Sent();
    int statements = (MESSAGES + STATEMENT - 1) / STATEMENT;
    int liveSampleEvery = Math.max(1, statements / 20);
    long start = System.nanoTime();
    for (int statement = 0; statement < statements; statement++) {
      List<FuzzMessage> messages = generator.next(Math.min(STATEMENT, MESSAGES - statement * STATEMENT));
      List<Notification> notifications = new ArrayList<>();
      for (FuzzMessage message : messages) {
        sent.counts.add(message);
        if (message.validUuid() != null) {
          sent.validUuids.add(message.validUuid());
        }
        message.payloads().forEach(payload -> notifications.add(new Notification(channel, payload)));
      }
      NotifySender.send(connection, notifications);
      sent.delivered += notifications.stream().map(Notification::payload).distinct().count();
      long target = sent.delivered - MAX_IN_FLIGHT;
      awaitOrStop(daemon, metrics, sent, "keeping up", () -> metrics.received() >= target);
      victim.poll(0); // keeps the watch's connection from piling up notifications
      try {
        sent.peakUsed = Math.max(sent.peakUsed, heap.usedBytes());
        if (statement % liveSampleEvery == liveSampleEvery - 1) {
          sent.peakLive = Math.max(sent.peakLive, heap.liveBytes());
        }
      } catch (IOException e) {
        // the daemon is going: the next wait says why
      }
      if (statement % 400 == 399) {
        System.out.printf(Locale.ROOT, "  ... %,d messages sent (%,.0f/s)%n", sent.counts.messages(),
            sent.counts.messages() / ((System.nanoTime() - start) / 1e9));
      }
    }
    sent.seconds = (System.nanoTime() - start) / 1e9;
    return sent;
  }

  /** Waits for the condition while the daemon is alive; a stall or an exit fails the test with what is known. */
  private static void awaitOrStop(DaemonProcess daemon, Metrics metrics, Sent sent, String what, java.util.concurrent.Callable<Boolean> condition) {
    try {
      await().atMost(STALL).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
          .failFast("the daemon exited", () -> !daemon.isAlive())
          .until(condition);
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new AssertionError(stopped(daemon, metrics, sent, what), e);
    }
  }

  private static String stopped(DaemonProcess daemon, Metrics metrics, Sent sent, String what) {
    StringBuilder text = new StringBuilder();
    long received = metrics.received();
    if (daemon.isAlive()) {
      text.append("the daemon stopped reading while ").append(what).append(": it received ").append(received).append(" of ")
          .append(sent.delivered).append(" notifications in ").append(STALL.toSeconds()).append(" s, yet GET /health says ")
          .append(metrics.healthStatus()).append(" (a dead dispatch loop behind a live listener?)");
    } else {
      text.append("the daemon exited (").append(exitOf(daemon)).append(") while ").append(what).append(", after ")
          .append(sent.counts.messages()).append(" messages");
    }
    List<String> fatal = daemon.output().lines()
        .filter(line -> line.contains("OutOfMemoryError") || line.contains("Exception in thread") || line.contains("Terminating due to"))
        .limit(10).map(AdversarialE2eTest::cut).toList();
    if (!fatal.isEmpty()) {
      text.append("\nfatal lines in the daemon's output:\n  ").append(String.join("\n  ", fatal));
    }
    text.append("\nsent so far:\n").append(sent.counts.table());
    text.append("\nlast lines of the daemon's output (cut to 300 characters):\n  ")
        .append(String.join("\n  ", daemon.lastLines(25).stream().map(AdversarialE2eTest::cut).toList()));
    return text.toString();
  }

  private static String cut(String line) {
    return line.length() > 300 ? line.substring(0, 297) + "..." : line;
  }

  private static String exitOf(DaemonProcess daemon) {
    if (daemon.isAlive()) {
      return "running";
    }
    try {
      return "exit status " + daemon.awaitExit(Duration.ofSeconds(5));
    } catch (InterruptedException | IllegalStateException e) {
      return "exited";
    }
  }

  /** How the valid tasks ran: per uuid the number of runs and of runs that did not succeed. */
  private record ValidRuns(Map<String, int[]> byUuid, List<String> uuids) {
    /** One line per valid uuid that did not run exactly once with success, at most 20, and how many there are. */
    List<String> problems() {
      List<String> problems = new ArrayList<>();
      int count = 0;
      for (String uuid : uuids) {
        int[] runs = byUuid.getOrDefault(uuid, new int[2]);
        if (runs[0] != 1 || runs[1] != 0) {
          if (count++ < 20) {
            problems.add(uuid + ": " + (runs[0] == 0 ? "never ran" : runs[0] + " run(s), " + runs[1] + " not succeeded"));
          }
        }
      }
      if (count > 20) {
        problems.add("... " + (count - 20) + " more");
      }
      return problems;
    }

    long ranOnce() {
      return uuids.stream().filter(uuid -> byUuid.getOrDefault(uuid, new int[2])[0] == 1).count();
    }
  }

  private static ValidRuns awaitValidRuns(TestDatabase database, List<String> uuids, Duration timeout) throws SQLException {
    int distinct = new HashSet<>(uuids).size();
    try {
      await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
          .until(() -> runsByUuid(database, uuids).size() == distinct);
    } catch (ConditionTimeoutException e) {
      // reported with the other checks
    }
    return new ValidRuns(runsByUuid(database, uuids), uuids);
  }

  private static Map<String, int[]> runsByUuid(TestDatabase database, List<String> uuids) throws SQLException {
    Map<String, int[]> runs = new LinkedHashMap<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT uuid, count(*), count(*) FILTER (WHERE status <> 'succeeded')"
            + " FROM dispatcher_runs WHERE uuid = ANY (?) GROUP BY uuid")) {
      query.setArray(1, connection.createArrayOf("text", uuids.toArray()));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          runs.put(rows.getString(1), new int[] {rows.getInt(2), rows.getInt(3)});
        }
      }
    } catch (SQLException e) {
      if (!"42P01".equals(e.getSQLState())) { // no table: the journal has recorded nothing yet
        throw e;
      }
    }
    return runs;
  }

  /**
   * A hostile set_log_level OFF (its answer, if any, awaited, so it has taken effect), then a
   * malformed payload: its reject must still be logged.
   */
  private static boolean logsAfterAHostileSetLogLevelOff(DaemonProcess daemon, ControlClient control, Connection connection,
      String channel) throws Exception {
    control.send(channel, "set_log_level", Map.of("level", "OFF"), 1, ANSWER);
    // Rejects are logged 20 a reason per 10 s, then summed up: right after the flood a bad_payload
    // line may be summed up rather than written, so send a fresh marker each second until one is
    // written, for a little longer than one window.
    try {
      await().atMost(REJECT_LOG_WINDOW.plus(ANSWER)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        String marker = "fuzz-log-marker-" + UUID.randomUUID();
        NotifySender.send(connection, List.of(new Notification(channel, marker + " {")));
        return daemon.awaitLine(line -> line.contains(marker), Duration.ofSeconds(1));
      });
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  private static long rowsWithNotePrefix(TestDatabase database, String prefix) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM dispatcher_demo_rows WHERE starts_with(note, ?)")) {
      query.setString(1, prefix);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) { // no table: no insert_row ever ran
        return 0;
      }
      throw e;
    }
  }

  /** Waits until the live heap is under the bound (partial chunks expire, replies are sent); returns the last reading. */
  private static long settledLiveHeap(HeapProbe heap) {
    long[] last = {-1};
    try {
      await().atMost(SETTLE).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
          .until(() -> (last[0] = heap.liveBytes()) <= LIVE_HEAP_BOUND);
    } catch (ConditionTimeoutException e) {
      // reported with the other checks
    }
    return last[0];
  }

  private static Map<String, Object> body(List<ControlReply> replies) {
    return replies.isEmpty() ? Map.of() : replies.get(0).body();
  }

  private static String report(Sent sent, ValidRuns runs, DaemonProcess daemon, int health, List<ControlReply> alive,
      Map<String, Object> counters, Map<String, Object> main, Map<String, Object> chunks, boolean stillLogs, long unauthorisedRows,
      long victimReplies, QueueWait wait, long baseline, long settledLive) {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "adversarial run: sent %,d messages in %,d notifications (%,d delivered) in %.1f s (%,.0f messages/s)%n",
        sent.counts.messages(), sent.counts.notifications(), sent.delivered, sent.seconds, sent.counts.messages() / sent.seconds));
    text.append("  sent by kind:\n").append(sent.counts.table()).append('\n');
    text.append(String.format(Locale.ROOT, "  valid tasks: %,d sent, %,d ran exactly once, problems: %s%n", runs.uuids().size(),
        runs.ranOnce(), runs.problems().isEmpty() ? "none" : runs.problems()));
    text.append("  daemon: ").append(exitOf(daemon)).append(", GET /health ").append(health).append(", alive replies ")
        .append(alive.size()).append('\n');
    text.append("  dropped by reason (metrics command): ").append(counters.getOrDefault("dropped", "no reply")).append('\n');
    text.append("  counters (metrics command): ").append(counters).append('\n');
    text.append("  main: ").append(main).append('\n');
    text.append("  chunks: ").append(chunks).append('\n');
    text.append("  acting commands: rows from hostile run ").append(unauthorisedRows).append(", still logs after set_log_level OFF ")
        .append(stillLogs).append(", replies on the victim channel ").append(victimReplies).append('\n');
    text.append(String.format(Locale.ROOT, "  queue wait in /metrics: longest %.3f s, smallest sum %.3f s%n", wait.longest(),
        wait.smallestSum()));
    text.append(String.format(Locale.ROOT, "  heap (-Xmx%s): live before %d MiB, peak in use %d MiB, peak live during the run %d MiB"
        + " (bound %d MiB), live %d s after the run %d MiB (bound %d MiB)", MAX_HEAP, baseline >> 20, sent.peakUsed >> 20,
        sent.peakLive >> 20, PEAK_LIVE_HEAP_BOUND >> 20, SETTLE.toSeconds(), settledLive >> 20, LIVE_HEAP_BOUND >> 20));
    return text.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** From the queue-wait histograms in /metrics, seconds. */
  private record QueueWait(double longest, double smallestSum) {}

  /** The daemon's HTTP endpoints. */
  private final class Metrics {
    private static final Pattern WAIT = Pattern.compile(
        "^dispatcher_task_queue_wait_seconds_(sum|max)\\{task=\"([^\"]*)\"\\} (\\S+)$", Pattern.MULTILINE);
    private final int port;
    private final String receivedPrefix;

    Metrics(int port, String channel) {
      this.port = port;
      this.receivedPrefix = "dispatcher_messages_received_total{channel=\"" + channel + "\"} ";
    }

    /** Notifications the daemon has taken from its backlog on the channel; -1 when it does not answer. */
    long received() {
      try {
        String body = get("/metrics").body();
        int at = body.indexOf(receivedPrefix);
        if (at < 0) {
          return 0;
        }
        int end = body.indexOf('\n', at);
        return (long) Double.parseDouble(body.substring(at + receivedPrefix.length(), end < 0 ? body.length() : end).trim());
      } catch (IOException | InterruptedException | RuntimeException e) {
        return -1;
      }
    }

    int healthStatus() {
      try {
        return get("/health").statusCode();
      } catch (IOException | InterruptedException e) {
        return -1;
      }
    }

    /** The publish-to-start histograms: their longest recorded wait (the recent maximum) and their smallest sum. */
    QueueWait queueWait() throws IOException, InterruptedException {
      double longest = 0;
      double smallestSum = 0;
      Matcher match = WAIT.matcher(get("/metrics").body());
      while (match.find()) {
        double value = Double.parseDouble(match.group(3));
        if (match.group(1).equals("max")) {
          longest = Math.max(longest, value);
        } else {
          smallestSum = Math.min(smallestSum, value);
        }
      }
      return new QueueWait(longest, smallestSum);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }
}
