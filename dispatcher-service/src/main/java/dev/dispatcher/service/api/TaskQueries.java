package dev.dispatcher.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.storage.TaskRecords;
import dev.dispatcher.status.RequestPage;
import dev.dispatcher.status.RequestQuery;
import dev.dispatcher.status.StatusJson;
import dev.dispatcher.status.TaskState;
import dev.dispatcher.status.TaskStatus;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code GET /api/v1/tasks/{uuid}} (a task's status and result, as {@code ctl status} shows it) and
 * {@code GET /api/v1/tasks?client=…} (a client's requests, newest first, a page at a time: the
 * {@code next_cursor} of one page is the {@code cursor} of the next).
 */
final class TaskQueries {

  static final int DEFAULT_LIMIT = 50;
  private static final Set<String> PARAMETERS = Set.of("client", "state", "task", "limit", "cursor");

  private final TaskRecords records;
  private final ObjectMapper mapper;

  TaskQueries(TaskRecords records, ObjectMapper mapper) {
    this.records = records;
    this.mapper = mapper;
  }

  ObjectNode status(String uuid) throws SQLException {
    try {
      UUID.fromString(uuid);
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, "'" + ApiText.cut(uuid) + "' is not a uuid");
    }
    Optional<TaskStatus> status = records.status(uuid);
    if (status.isEmpty()) {
      throw new ApiProblem(404, "no task " + uuid + " in the table (not durable nor recorded, not committed yet, or deleted by retention)");
    }
    ObjectNode body = StatusJson.of(status.get(), mapper);
    body.putObject("links").put("self", ApiServer.PREFIX + "tasks/" + uuid);
    return body;
  }

  ObjectNode requests(Map<String, String> query) throws SQLException {
    for (String name : query.keySet()) {
      if (!PARAMETERS.contains(name)) {
        throw new ApiProblem(400, "unknown query parameter '" + ApiText.cut(name) + "' (known: client, state, task, limit, cursor)");
      }
    }
    String client = query.get("client");
    if (client == null || client.isEmpty()) {
      throw new ApiProblem(400, "client is required: the requests of one client are listed (GET /tasks?client=shop)");
    }
    RequestQuery request;
    try {
      request = new RequestQuery(client, state(query.get("state")), emptyToNull(query.get("task")), limit(query.get("limit")),
          emptyToNull(query.get("cursor")));
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, ApiText.cut(e.getMessage()));
    }
    RequestPage page = records.requests(request);
    ObjectNode body = StatusJson.of(page, mapper);
    if (page.nextCursor() != null) {
      body.putObject("links").put("next", ApiServer.PREFIX + "tasks?" + nextQuery(query, page.nextCursor()));
    }
    return body;
  }

  private static TaskState state(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return TaskState.of(text);
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, "state must be one of scheduled, available, running, retryable, completed, failed, cancelled; was '"
          + ApiText.cut(text) + "'");
    }
  }

  private static int limit(String text) {
    if (text == null || text.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new ApiProblem(400, "limit must be a whole number from 1 to " + RequestQuery.MAX_LIMIT + ", was '" + ApiText.cut(text) + "'");
    }
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }

  private static String nextQuery(Map<String, String> query, String cursor) {
    StringBuilder next = new StringBuilder();
    for (String name : new String[] {"client", "state", "task", "limit"}) {
      String value = query.get(name);
      if (value != null && !value.isEmpty()) {
        next.append(name).append('=').append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)).append('&');
      }
    }
    return next.append("cursor=").append(java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)).toString();
  }
}
