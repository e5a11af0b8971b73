package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dispatcher.tools.process.DaemonProcess;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.TaskMessageEncoder;
import dev.dispatcher.wire.WireFormat;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Chunked messages sent part by part: shuffled parts reassemble; a message missing a part expires on the timer. */
@ExtendWith(PostgresExtension.class)
class ChunkingE2eTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void shuffledPartsReassembleAndAPartialExpires(TestDatabase database, @TempDir Path directory) throws Exception {
    String channel = Daemon.channel("chunks");
    Journal journal = new Journal(database);
    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(channel), 2, "chunks:\n  timeout: 1s\n"), directory)) {
      String wholeUuid = UUID.randomUUID().toString();
      String note = largeNote(1);
      List<String> parts = new ArrayList<>(new Chunker().split(insertRow(wholeUuid, note)));
      assertThat(parts).hasSizeGreaterThan(3);
      Collections.shuffle(parts, new Random(42));
      for (String part : parts) {
        notify(database, channel, part);
      }
      await().atMost(WAIT).until(() -> journal.runs(wholeUuid) == 1);
      assertThat(noteOf(database, wholeUuid)).isEqualTo(note);

      String partialUuid = UUID.randomUUID().toString();
      List<String> partialParts = new Chunker().split(insertRow(partialUuid, largeNote(2)));
      for (String part : partialParts.subList(0, partialParts.size() - 1)) {
        notify(database, channel, part);
      }
      assertThat(daemon.awaitLine(line -> line.contains("dropped 1 chunked message(s) whose parts did not all arrive in time"), WAIT))
          .as("output:%n%s", daemon.output()).isTrue();
      // the last part, now alone, starts a new partial that expires in turn: the task never runs
      notify(database, channel, partialParts.get(partialParts.size() - 1));
      await().atMost(WAIT).until(() -> daemon.linesContaining("whose parts did not all arrive in time").size() == 2);
      assertThat(journal.runs(partialUuid)).isZero();
      assertThat(daemon.stop(WAIT)).isZero();
      assertThat(daemon.linesContaining("dispatcher stopped")).singleElement().asString().contains("chunks_expired=2");
    }
  }

  private static String largeNote(int seed) {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder();
    while (text.length() < 20_000) {
      text.append("é\"\\ ").append(random.nextInt(1000)).append(" \uD83D\uDE80 ");
    }
    return text.toString();
  }

  private static String insertRow(String uuid, String note) {
    return new TaskMessageEncoder(WireFormat.newObjectMapper()).encode(new TaskMessageEncoder.Fields(uuid,
        "dev.dispatcher.demo.DemoTasks.insert_row", List.of(note), null, Instant.now(), 0, 0, null, true));
  }

  private static void notify(TestDatabase database, String channel, String payload) throws Exception {
    try (Connection connection = database.connect(); PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, channel);
      notify.setString(2, payload);
      notify.execute();
    }
  }

  private static String noteOf(TestDatabase database, String uuid) throws Exception {
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT note FROM dispatcher_demo_rows WHERE uuid = ?")) {
      query.setString(1, uuid);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        return row.getString(1);
      }
    }
  }
}
