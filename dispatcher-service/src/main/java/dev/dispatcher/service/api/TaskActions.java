package dev.dispatcher.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlException;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.DurableTasks.RowState;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/v1/tasks/{uuid}/cancel} and {@code /retry}. A waiting row is cancelled in the
 * table at once; a running one is asked to stop over the control plane (the command {@code cancel}
 * on the row's channel: the daemons there must allow it), and becomes cancelled when its daemon
 * writes the outcome. A failed or cancelled row is retried: available again, one more attempt.
 */
final class TaskActions {

  static final Duration CANCEL_WAIT = Duration.ofSeconds(1);
  private static final int MAX_REPLIES = 100;
  private static final Set<String> WAITING = Set.of("scheduled", "available", "retryable");

  private final DurableTasks rows;
  private final ControlClient control;
  private final ObjectMapper mapper;

  TaskActions(DurableTasks rows, ControlClient control, ObjectMapper mapper) {
    this.rows = rows;
    this.control = control;
    this.mapper = mapper;
  }

  /** 200 when the row is cancelled, 202 when its running attempt was asked to stop. */
  Answer cancel(String uuid) throws SQLException {
    RowState row = existing(uuid);
    if (WAITING.contains(row.state()) && rows.cancelWaiting(uuid, null, 1).count() == 1) {
      return new Answer(200, body(uuid, "cancelled"));
    }
    RowState now = existing(uuid); // claimed meanwhile, or finished
    if (!now.state().equals("running")) {
      throw new ApiProblem(409, "the task is " + now.state() + ": only a waiting or running task can be cancelled");
    }
    ObjectNode body = body(uuid, "running");
    body.put("cancel_requested", true);
    ArrayNode nodes = body.putArray("nodes");
    try {
      for (ControlReply reply : control.send(now.channel(), "cancel", Map.of("uuid", uuid), MAX_REPLIES, CANCEL_WAIT)) {
        ObjectNode node = nodes.addObject();
        node.put("node_id", String.valueOf(reply.nodeId()));
        Map<String, Object> answer = reply.body();
        if (answer.containsKey("error")) {
          node.put("error", ApiText.cut(String.valueOf(answer.get("error"))));
        } else {
          node.put("cancelled", answer.keySet().stream().filter(key -> !key.equals("node_id")).count());
        }
      }
    } catch (ControlException e) {
      throw new ApiProblem(503, "the cancel could not be sent: " + ApiText.cut(e.getMessage()), Map.of(), Map.of("Retry-After", "1"));
    }
    return new Answer(202, body);
  }

  /** 200 when a failed or cancelled row is available again. */
  Answer retry(String uuid) throws SQLException {
    RowState row = existing(uuid);
    if (!row.state().equals("failed") && !row.state().equals("cancelled")) {
      throw new ApiProblem(409, "the task is " + row.state() + ": only a failed or cancelled task can be retried");
    }
    if (!rows.retry(uuid)) {
      throw new ApiProblem(409, "the task is " + existing(uuid).state() + " now: only a failed or cancelled task can be retried");
    }
    return new Answer(200, body(uuid, "available"));
  }

  private RowState existing(String uuid) throws SQLException {
    try {
      UUID.fromString(uuid);
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, "'" + ApiText.cut(uuid) + "' is not a uuid");
    }
    RowState row = rows.rowState(uuid);
    if (row == null) {
      throw new ApiProblem(404, "no durable task " + uuid);
    }
    return row;
  }

  private ObjectNode body(String uuid, String state) {
    ObjectNode body = mapper.createObjectNode();
    body.put("uuid", uuid);
    body.put("state", state);
    return body;
  }

  /** A status and its JSON body. */
  record Answer(int status, ObjectNode body) {}
}
