package dev.dispatcher.service.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.PostgresStorage;
import dev.dispatcher.service.storage.SchemaName;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * {@code ctl retry --uuid U} and {@code ctl discard --uuid U}: act on one failed (dead letter) or
 * cancelled row of the durable task table directly, through the daemon's own storage code, as
 * {@code migrate} does: no control message, so no daemon needs to run. A retried row is available
 * again with one more attempt allowed; a daemon listening on its channel claims it at its next poll.
 */
final class DeadLetterCommand {

  static final String RETRY = "retry";
  static final String DISCARD = "discard";
  static final List<String> COMMANDS = List.of(RETRY, DISCARD);

  private DeadLetterCommand() {}

  /** Retries or discards the row; the exit status ({@link ControlCommand#EXIT_OK}, or {@link ControlCommand#EXIT_TOO_FEW} for no such row or a database error). */
  static int run(String command, String uuid, DispatcherConfig.Database database, Duration timeout, PrintWriter out, PrintWriter err) {
    // an unreachable or stuck database fails within --timeout rather than Hikari's default 30 s
    Duration connect = timeout.compareTo(Duration.ofMillis(250)) < 0 ? Duration.ofMillis(250) : timeout;
    Duration read = timeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : timeout;
    try (HikariDataSource pool = ConnectionPools.create(database.url(), "dispatcher-ctl", 1, connect, read)) {
      DurableTasks rows = new PostgresStorage(database.url(), SchemaName.of(database.schema()), pool, "dispatcher-ctl").durableTasks();
      boolean done = RETRY.equals(command) ? rows.retry(uuid) : rows.discard(uuid);
      if (!done) {
        err.println("no failed or cancelled durable task with uuid " + uuid + " in schema " + database.schema()
            + " (only those can be " + (RETRY.equals(command) ? "retried" : "discarded") + ")");
        err.flush();
        return ControlCommand.EXIT_TOO_FEW;
      }
      out.println(RETRY.equals(command)
          ? "retried durable task " + uuid + ": available again, with one more attempt allowed"
          : "discarded durable task " + uuid + ": its row is deleted");
      out.flush();
      return ControlCommand.EXIT_OK;
    } catch (SQLException | RuntimeException e) {
      err.println("database error: " + e.getMessage());
      err.flush();
      return ControlCommand.EXIT_TOO_FEW;
    }
  }

  /** A uuid in its usual 36-character form. */
  static boolean isUuid(String text) {
    try {
      UUID.fromString(text);
      return text.length() == 36;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
