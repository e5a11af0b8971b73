package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A doorbell is a hint anyone who can connect may ring: a client rings a durable channel's doorbell
 * as fast as one connection can (thousands a second) for a few seconds while real durable tasks are
 * enqueued in the middle. The daemon runs every real task, and the flood costs it a bounded number
 * of claim statements (the pause after empty claims, at most one per 64 ms), not one per doorbell.
 */
@ExtendWith(PostgresExtension.class)
class DurableDoorbellFloodE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration FLOOD = Duration.ofSeconds(4);
  private static final Pattern CLAIMS = Pattern.compile(" durable_claims=(\\d+) durable_empty_claims=(\\d+) ");

  @Test
  void aDoorbellFloodCostsBoundedClaimsAndRealTasksStillRun(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("durable_flood");
    DurableTable table = new DurableTable(database);
    DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 4, DurableTable.FAST), directory);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong rung = new AtomicLong();
    CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> ring(database, channel, rung, stop));
    List<String> real = new ArrayList<>();
    long floodStart;
    try {
      await().atMost(WAIT).until(() -> rung.get() >= 1_000 || flood.isDone());
      floodStart = System.nanoTime();
      // real work arrives in the middle of the flood
      for (int i = 0; i < 20; i++) {
        real.add(table.enqueue(DurableTestTasks.RECORD, channel, List.of(), Map.of()));
      }
      await().atMost(WAIT).until(() -> table.count(channel, "completed") == real.size());
      await().atMost(WAIT).until(() -> System.nanoTime() - floodStart >= FLOOD.toNanos() || flood.isDone());
    } finally {
      stop.set(true);
    }
    flood.get();
    double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
    assertThat(daemon.stop(WAIT)).as("exit status; output:%n%s", daemon.output()).isZero();

    assertThat(table.runCounts(channel).values()).as("every real task ran once").hasSize(real.size()).containsOnly(1);
    String summary = daemon.linesContaining("dispatcher stopped").get(0);
    Matcher claims = CLAIMS.matcher(summary);
    assertThat(claims.find()).as(summary).isTrue();
    long statements = Long.parseLong(claims.group(1));
    // 16 a second at the pause's bound, the 200 ms polls, the ramp up to the bound after each real claim, and the start
    long bound = Math.round(floodSeconds * (16 + 5)) + 60;
    assertThat(rung.get()).as("the flood rang far more often than the daemon may claim").isGreaterThan(5 * bound);
    assertThat(statements).as("claim statements for %d doorbells in %.1f s (%s)", rung.get(), floodSeconds, summary).isLessThanOrEqualTo(bound);
    assertThat(statements).as("the doorbells did make the daemon claim").isGreaterThan(Math.round(floodSeconds * 5));
    assertThat(daemon.linesContaining("durable claims find nothing although woken")).as("logged once per episode, not per doorbell")
        .hasSizeBetween(1, 3);
  }

  /** Rings the channel's doorbell in autocommit (each a transaction, so none is folded into another) until told to stop. */
  private static void ring(TestDatabase database, String channel, AtomicLong rung, AtomicBoolean stop) {
    try (Connection connection = database.connect();
        PreparedStatement doorbell = connection.prepareStatement("SELECT pg_notify(?, '{\"doorbell\":\"durable\"}')")) {
      doorbell.setString(1, channel);
      while (!stop.get()) {
        doorbell.execute();
        rung.incrementAndGet();
      }
    } catch (Exception e) {
      throw new IllegalStateException("the doorbell flood failed after " + rung.get() + " doorbells", e);
    }
  }
}
