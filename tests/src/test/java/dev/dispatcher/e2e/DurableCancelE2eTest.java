package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code cancel} reply lists the durable rows it cancelled that no daemon had claimed yet, as
 * {@code durable-<i>} entries with their uuid, task and channel, within the reply's limits. The rows
 * are of a task no daemon has, on a channel none listens on: only the table holds them.
 */
@ExtendWith(PostgresExtension.class)
class DurableCancelE2eTest {

  private static final Duration REPLY = Duration.ofSeconds(10);

  @Test
  void theCancelReplyListsTheRowsNoDaemonHadClaimedWithinItsLimits(TestDatabase database, @TempDir Path directory) throws Exception {
    DurableTable table = new DurableTable(database);
    String controlChannel = Daemon.channel("durable_cancel");
    String rowsChannel = Daemon.channel("durable_cancel_rows");
    String task = "e2e.cancel.unclaimed_" + UUID.randomUUID().toString().replace("-", "");
    List<String> rows = table.enqueueMany(task, rowsChannel, 6, List.of(), Map.of());
    String scheduled = table.enqueue(task, rowsChannel, List.of(), Map.of("delay", 600));
    try (DaemonProcess daemon = Daemon.start(database, Daemon.config(List.of(controlChannel), 2,
            DurableTable.FAST + "control:\n  allow: [cancel]\n  max_reply_entries: 4\n"), directory);
        ControlClient control = ControlClient.fromUrl(database.url())) {

      Map<String, Object> byUuid = cancel(control, controlChannel, Map.of("uuid", rows.get(0)));
      assertThat(byUuid).containsOnlyKeys("durable-0");
      assertThat(entry(byUuid, "durable-0")).containsEntry("uuid", rows.get(0)).containsEntry("task", task)
          .containsEntry("channel", rowsChannel).containsEntry("state", "cancelled");
      assertThat(table.row(rows.get(0)).state()).isEqualTo("cancelled");

      Map<String, Object> byTask = cancel(control, controlChannel, Map.of("task", task));
      assertThat(byTask).as("four entries at most (control.max_reply_entries), then the truncated marker")
          .containsOnlyKeys("durable-0", "durable-1", "durable-2", "durable-3", "truncated");
      assertThat(entry(byTask, "truncated")).containsEntry("total", 6).containsEntry("shown", 4);
      Set<String> listed = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        assertThat(entry(byTask, "durable-" + i)).containsEntry("task", task).containsEntry("state", "cancelled");
        listed.add((String) entry(byTask, "durable-" + i).get("uuid"));
      }
      Set<String> cancelledByTask = new HashSet<>(rows.subList(1, rows.size()));
      cancelledByTask.add(scheduled);
      assertThat(cancelledByTask).containsAll(listed);
      for (String uuid : cancelledByTask) {
        assertThat(table.row(uuid).state()).as(uuid).isEqualTo("cancelled");
        assertThat(daemon.linesContaining("cancelled durable task " + uuid + " (not claimed yet)")).as(uuid).hasSize(1);
      }

      assertThat(cancel(control, controlChannel, Map.of("task", task))).as("nothing is left to cancel").isEmpty();
    }
  }

  private static Map<String, Object> cancel(ControlClient control, String channel, Map<String, Object> data) throws Exception {
    List<ControlReply> replies = control.send(channel, "cancel", data, 1, REPLY);
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0).isError()).as("%s", replies.get(0).body()).isFalse();
    Map<String, Object> body = new java.util.LinkedHashMap<>(replies.get(0).body());
    body.remove("node_id");
    return body;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> entry(Map<String, Object> reply, String key) {
    assertThat(reply.get(key)).as(key).isInstanceOf(Map.class);
    return (Map<String, Object>) reply.get(key);
  }
}
