package dev.dispatcher.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Statuses and pages of requests as JSON objects with the table's snake_case names, every key
 * present ({@code null} when there is no value): what {@code ctl status}, {@code ctl requests} and
 * the HTTP API print.
 *
 * <pre>{@code
 * {"uuid":"3f2a…","task":"app.tasks.resize","channel":"images","client":"shop","state":"completed","attempt":1,
 *  "max_attempts":10,"created_at":"2025-01-01T10:00:00.123456Z","started_at":"…","finished_at":"…","run_at":"…",
 *  "node":"worker-1","result":{"width":640},"result_bytes":13,"result_omitted":null,"errors":[],"error_count":0,
 *  "progress":null,"progress_note":null,"progress_at":null}
 * }</pre>
 */
public final class StatusJson {

  private StatusJson() {}

  /** One task's status. */
  public static ObjectNode of(TaskStatus status, ObjectMapper mapper) {
    ObjectNode json = mapper.createObjectNode();
    json.put("uuid", status.uuid());
    json.put("task", status.task());
    json.put("channel", status.channel());
    json.put("client", status.client());
    json.put("state", status.state().wireName());
    json.put("attempt", status.attempt());
    json.put("max_attempts", status.maxAttempts());
    time(json, "created_at", status.createdAt());
    time(json, "started_at", status.startedAt());
    time(json, "finished_at", status.finishedAt());
    time(json, "run_at", status.runAt());
    json.put("node", status.node());
    json.set("result", status.result() == null ? json.nullNode() : status.result());
    json.put("result_bytes", status.resultBytes());
    json.put("result_omitted", status.resultOmitted());
    ArrayNode errors = json.putArray("errors");
    for (TaskError error : status.errors()) {
      ObjectNode entry = errors.addObject();
      entry.put("attempt", error.attempt());
      time(entry, "at", error.at());
      entry.put("node", error.node());
      entry.put("kind", error.kind());
      entry.put("error", error.error());
      entry.put("stack", error.stack());
    }
    json.put("error_count", status.errorCount());
    json.put("progress", status.progress());
    json.put("progress_note", status.progressNote());
    time(json, "progress_at", status.progressAt());
    return json;
  }

  /** One page of requests: {@code {"requests": [{uuid, task, state, created_at, finished_at}, …], "next_cursor": …}}. */
  public static ObjectNode of(RequestPage page, ObjectMapper mapper) {
    ObjectNode json = mapper.createObjectNode();
    ArrayNode requests = json.putArray("requests");
    for (RequestSummary request : page.requests()) {
      ObjectNode entry = requests.addObject();
      entry.put("uuid", request.uuid());
      entry.put("task", request.task());
      entry.put("state", request.state().wireName());
      time(entry, "created_at", request.createdAt());
      time(entry, "finished_at", request.finishedAt());
    }
    json.put("next_cursor", page.nextCursor());
    return json;
  }

  private static void time(ObjectNode json, String key, Instant instant) {
    json.put(key, instant == null ? null : instant.toString());
  }
}
