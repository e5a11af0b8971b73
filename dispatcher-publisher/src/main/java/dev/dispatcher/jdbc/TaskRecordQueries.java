package dev.dispatcher.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.status.RequestCursor;
import dev.dispatcher.status.RequestPage;
import dev.dispatcher.status.RequestQuery;
import dev.dispatcher.status.RequestSummary;
import dev.dispatcher.status.TaskError;
import dev.dispatcher.status.TaskState;
import dev.dispatcher.status.TaskStatus;
import dev.dispatcher.wire.ResultNotices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the task table {@code "<schema>".tasks}: a task's status by uuid (one or many at once),
 * and a client's requests newest first, a page at a time by keyset. The publisher and the daemon's
 * storage both read through here, so they read alike. Thread-safe; every statement on the
 * connection given, with the timeout given ({@code setQueryTimeout}, 0: none).
 *
 * <pre>{@code
 * TaskRecordQueries queries = new TaskRecordQueries("dispatcher", WireFormat.newObjectMapper());
 * Optional<TaskStatus> status = queries.status(connection, uuid, 10);
 * }</pre>
 */
public final class TaskRecordQueries {

  /** Uuids looked up in one statement at most. */
  public static final int MAX_UUIDS = 1000;

  private static final String COLUMNS = "uuid::text, task, channel, client, state, attempt, max_attempts, created_at, attempted_at,"
      + " finished_at, run_at, attempted_by, result::text, result_bytes, result_omitted,"
      // the last MAX_ERRORS entries: a row may hold a thousand attempts' stacks
      + " CASE WHEN jsonb_array_length(errors) <= " + TaskStatus.MAX_ERRORS + " THEN errors::text ELSE (SELECT jsonb_agg(e.v ORDER BY e.n)::text"
      + " FROM jsonb_array_elements(errors) WITH ORDINALITY AS e(v, n) WHERE e.n > jsonb_array_length(errors) - " + TaskStatus.MAX_ERRORS
      + ") END, jsonb_array_length(errors), progress, progress_note, progress_at";

  private final String schema;
  private final String table;
  private final ObjectMapper mapper;

  /** @throws IllegalArgumentException when the schema is not a name {@link SchemaNames} accepts */
  public TaskRecordQueries(String schema, ObjectMapper mapper) {
    this.schema = SchemaNames.check(schema);
    this.table = "\"" + schema + "\".tasks";
    this.mapper = mapper;
  }

  public String schema() {
    return schema;
  }

  /**
   * The status of the task with this uuid; empty when there is no row.
   *
   * @throws IllegalArgumentException when the text is not a uuid
   */
  public Optional<TaskStatus> status(Connection connection, String uuid, int timeoutSeconds) throws SQLException {
    List<TaskStatus> found = statuses(connection, List.of(checkUuid(uuid)), timeoutSeconds);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /**
   * The statuses of the rows with these uuids (those that have one), in no particular order.
   *
   * @throws IllegalArgumentException when one is not a uuid, or there are more than {@value #MAX_UUIDS}
   */
  public List<TaskStatus> statuses(Connection connection, Collection<String> uuids, int timeoutSeconds) throws SQLException {
    if (uuids.size() > MAX_UUIDS) {
      throw new IllegalArgumentException("at most " + MAX_UUIDS + " uuids at once, got " + uuids.size());
    }
    List<TaskStatus> statuses = new ArrayList<>(uuids.size());
    if (uuids.isEmpty()) {
      return statuses;
    }
    String[] texts = new String[uuids.size()];
    int i = 0;
    for (String uuid : uuids) {
      texts[i++] = checkUuid(uuid);
    }
    try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM " + table + " WHERE uuid = ANY (?::uuid[])")) {
      limit(select, timeoutSeconds);
      select.setArray(1, connection.createArrayOf("text", texts));
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          statuses.add(status(row));
        }
      }
    }
    return statuses;
  }

  /** One page of a client's requests, newest first, and the cursor of the next when there is one. */
  public RequestPage requests(Connection connection, RequestQuery query, int timeoutSeconds) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT id, uuid::text, task, state, created_at, finished_at FROM ").append(table)
        .append(" WHERE client = ?");
    // one statement per combination of filters, not "? IS NULL OR …": a generic plan keeps the index conditions
    if (query.state() != null) {
      sql.append(" AND state = ?");
    }
    if (query.task() != null) {
      sql.append(" AND task = ?");
    }
    RequestCursor after = query.cursor() == null ? null : RequestCursor.decode(query.cursor());
    if (after != null) {
      sql.append(" AND (created_at, id) < (?::timestamptz, ?)");
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    List<RequestSummary> requests = new ArrayList<>(query.limit());
    RequestCursor next = null;
    try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
      limit(select, timeoutSeconds);
      int parameter = 1;
      select.setString(parameter++, query.client());
      if (query.state() != null) {
        select.setString(parameter++, query.state().wireName());
      }
      if (query.task() != null) {
        select.setString(parameter++, query.task());
      }
      if (after != null) {
        select.setString(parameter++, after.createdAt().toString());
        select.setLong(parameter++, after.id());
      }
      select.setInt(parameter, query.limit() + 1); // one more: is there a next page?
      try (ResultSet row = select.executeQuery()) {
        long lastId = 0;
        Instant lastCreated = null;
        while (row.next()) {
          if (requests.size() == query.limit()) {
            next = new RequestCursor(lastCreated, lastId);
            break;
          }
          lastId = row.getLong(1);
          lastCreated = instant(row, 5);
          requests.add(new RequestSummary(row.getString(2), row.getString(3), TaskState.of(row.getString(4)), lastCreated, instant(row, 6)));
        }
      }
    }
    return new RequestPage(requests, next == null ? null : next.encode());
  }

  private TaskStatus status(ResultSet row) throws SQLException {
    int resultBytes = row.getInt(14);
    boolean noResultBytes = row.wasNull();
    double progress = row.getDouble(18);
    boolean noProgress = row.wasNull();
    return new TaskStatus(row.getString(1), row.getString(2), row.getString(3), row.getString(4), TaskState.of(row.getString(5)),
        row.getInt(6), row.getInt(7), instant(row, 8), instant(row, 9), instant(row, 10), instant(row, 11), row.getString(12),
        json(row.getString(13)), noResultBytes ? null : resultBytes, row.getString(15), errors(row.getString(16)), row.getInt(17),
        noProgress ? null : progress, row.getString(19), instant(row, 20));
  }

  private JsonNode json(String text) throws SQLException {
    if (text == null) {
      return null;
    }
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SQLException("the task table's JSON cannot be read: " + e.getOriginalMessage(), e); // jsonb's text is JSON
    }
  }

  private List<TaskError> errors(String text) throws SQLException {
    List<TaskError> errors = new ArrayList<>();
    JsonNode entries = json(text);
    if (entries == null || !entries.isArray()) {
      return errors;
    }
    for (JsonNode entry : entries) {
      if (entry.isObject()) {
        errors.add(new TaskError(entry.path("attempt").asInt(0), instant(entry.path("at").asText(null)), entry.path("node").asText(null),
            entry.path("kind").asText(null), entry.path("error").asText(null), entry.path("stack").asText(null)));
      }
    }
    return errors;
  }

  /** An entry's {@code at}: an ISO instant (the daemon's), or a timestamptz as jsonb writes it (the rescuer's); null otherwise. */
  private static Instant instant(String text) {
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.length() > 10 && text.charAt(10) == ' ' ? text.replace(' ', 'T') : text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException again) {
        return null;
      }
    }
  }

  private static Instant instant(ResultSet row, int column) throws SQLException {
    OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static String checkUuid(String uuid) {
    if (!ResultNotices.isUuid(uuid)) {
      throw new IllegalArgumentException("not a uuid: " + (uuid == null ? "null" : "'" + (uuid.length() > 60 ? uuid.substring(0, 60) + "…" : uuid) + "'"));
    }
    return uuid.toLowerCase(Locale.ROOT);
  }

  private static void limit(PreparedStatement statement, int timeoutSeconds) throws SQLException {
    if (timeoutSeconds > 0) {
      statement.setQueryTimeout(timeoutSeconds);
    }
  }
}
