package dev.dispatcher.service.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.storage.PostgresStorage;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.storage.TaskRecords;
import dev.dispatcher.status.RequestPage;
import dev.dispatcher.status.RequestQuery;
import dev.dispatcher.status.RequestSummary;
import dev.dispatcher.status.StatusJson;
import dev.dispatcher.status.TaskError;
import dev.dispatcher.status.TaskState;
import dev.dispatcher.status.TaskStatus;
import dev.dispatcher.wire.WireFormat;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code ctl status --uuid U}, {@code ctl result --uuid U} and {@code ctl requests --client C}: read
 * the task table directly (database.url and database.schema of the config), as {@code retry} and
 * {@code discard} do: no control message, no daemon needs to run.
 */
final class TaskRecordsCommand {

  static final String STATUS = "status";
  static final String RESULT = "result";
  static final String REQUESTS = "requests";

  /** {@code ctl result}: the task has not finished yet. */
  static final int EXIT_NOT_FINISHED = 4;
  /** {@code ctl result}: the task failed or was cancelled. */
  static final int EXIT_FAILED = 5;
  /** {@code ctl result}: the task completed, but its result was not kept. */
  static final int EXIT_RESULT_OMITTED = 6;

  /** What to read: a task's status or result, or a page of a client's requests. */
  sealed interface Query {
    record Status(String uuid, boolean json) implements Query {}

    record Result(String uuid) implements Query {}

    record Requests(RequestQuery query, boolean json) implements Query {}
  }

  private final ObjectMapper mapper = WireFormat.newObjectMapper();

  /** Whether ctl runs this command on the table: result and requests always, status when it names a uuid. */
  static boolean handles(String command, String uuid) {
    return RESULT.equals(command) || REQUESTS.equals(command) || STATUS.equals(command) && uuid != null;
  }

  /** Reads and prints; the exit status (see {@link ControlCommand}'s footer). */
  int run(Query query, DispatcherConfig.Database database, Duration timeout, PrintWriter out, PrintWriter err) {
    // an unreachable or stuck database fails within --timeout rather than Hikari's default 30 s
    Duration connect = timeout.compareTo(Duration.ofMillis(250)) < 0 ? Duration.ofMillis(250) : timeout;
    Duration read = timeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : timeout;
    try (HikariDataSource pool = ConnectionPools.create(database.url(), "dispatcher-ctl", 1, connect, read)) {
      TaskRecords records = new PostgresStorage(database.url(), SchemaName.of(database.schema()), pool, "dispatcher-ctl").taskRecords();
      int status = switch (query) {
        case Query.Status s -> status(records, s, database.schema(), out, err);
        case Query.Result r -> result(records, r, database.schema(), out, err);
        case Query.Requests r -> requests(records, r, out);
      };
      out.flush();
      err.flush();
      return status;
    } catch (SQLException | RuntimeException e) {
      err.println("database error: " + e.getMessage());
      err.flush();
      return ControlCommand.EXIT_TOO_FEW;
    }
  }

  private int status(TaskRecords records, Query.Status query, String schema, PrintWriter out, PrintWriter err) throws SQLException {
    Optional<TaskStatus> status = records.status(query.uuid());
    if (status.isEmpty()) {
      return noRow(query.uuid(), schema, err);
    }
    out.print(format(mapper.convertValue(StatusJson.of(status.get(), mapper), Map.class), query.json()));
    return ControlCommand.EXIT_OK;
  }

  private int result(TaskRecords records, Query.Result query, String schema, PrintWriter out, PrintWriter err) throws SQLException {
    Optional<TaskStatus> found = records.status(query.uuid());
    if (found.isEmpty()) {
      return noRow(query.uuid(), schema, err);
    }
    TaskStatus status = found.get();
    String what = "task " + status.uuid() + " " + status.task();
    if (!status.isFinished()) {
      err.println(what + " has not finished: " + status.state().wireName() + ", attempt " + status.attempt() + " of " + status.maxAttempts());
      return EXIT_NOT_FINISHED;
    }
    if (status.state() != TaskState.COMPLETED) {
      TaskError last = status.lastError();
      err.println(what + " " + status.state().wireName() + " after " + status.attempt() + " attempt(s)"
          + (last == null ? "" : ": " + last.error()));
      return EXIT_FAILED;
    }
    if (status.resultOmitted() != null) {
      err.println(what + " completed, but its result was not kept: " + status.resultOmitted());
      return EXIT_RESULT_OMITTED;
    }
    out.println(json(status.result()));
    return ControlCommand.EXIT_OK;
  }

  private int requests(TaskRecords records, Query.Requests query, PrintWriter out) throws SQLException {
    RequestPage page = records.requests(query.query());
    if (query.json()) {
      out.print(format(mapper.convertValue(StatusJson.of(page, mapper), Map.class), true));
      return ControlCommand.EXIT_OK;
    }
    out.println(String.format("%-36s  %-10s  %-27s  %-27s  %s", "UUID", "STATE", "CREATED", "FINISHED", "TASK"));
    for (RequestSummary request : page.requests()) {
      out.println(String.format("%-36s  %-10s  %-27s  %-27s  %s", request.uuid(), request.state().wireName(), request.createdAt(),
          request.finishedAt() == null ? "-" : request.finishedAt(), request.task()));
    }
    out.println(page.requests().size() + (page.requests().size() == 1 ? " request" : " requests")
        + (page.hasMore() ? "; next page: --cursor " + page.nextCursor() : "; no more"));
    return ControlCommand.EXIT_OK;
  }

  private static int noRow(String uuid, String schema, PrintWriter err) {
    err.println("no task with uuid " + uuid + " in schema " + schema + " (a fire-and-forget task has a row only when its task"
        + " records its runs, once it finished; finished rows are deleted after their retention)");
    return ControlCommand.EXIT_TOO_FEW;
  }

  private String json(JsonNode value) {
    try {
      return value == null ? "null" : mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a result read as JSON cannot be written as JSON", e);
    }
  }

  /** As the control replies are printed: YAML in block style, or pretty-printed JSON. */
  private String format(Object value, boolean asJson) {
    if (asJson) {
      try {
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(value) + System.lineSeparator();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a status read as JSON cannot be written as JSON", e);
      }
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndicatorIndent(0);
    options.setWidth(120);
    return new Yaml(options).dump(value);
  }
}
