package dev.dispatcher.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.service.listener.PgNotifyListener;
import dev.dispatcher.service.metrics.MetricsServer;

/** {@code GET /health}: healthy while nothing fatal happened, the listener is connected and its last self-check passed. */
final class DaemonHealth {

  private final String nodeId;
  private final PgNotifyListener listener;
  private final FatalFailure failure;
  private final ObjectMapper mapper;

  DaemonHealth(String nodeId, PgNotifyListener listener, FatalFailure failure, ObjectMapper mapper) {
    this.nodeId = nodeId;
    this.listener = listener;
    this.failure = failure;
    this.mapper = mapper;
  }

  MetricsServer.Health check() {
    boolean connected = listener.isConnected();
    boolean checked = listener.lastSelfCheckPassed();
    String reason = failure.failure().map(FatalFailure.Failure::describe)
        .orElse(!connected ? "the LISTEN connection is down" : !checked ? "the last listener self-check failed" : null);
    ObjectNode body = mapper.createObjectNode();
    body.put("status", reason == null ? "ok" : "unavailable");
    body.put("node_id", nodeId);
    body.put("listener_connected", connected);
    body.put("last_self_check_passed", checked);
    if (reason != null) {
      body.put("reason", reason);
    }
    return new MetricsServer.Health(reason == null, body.toString());
  }
}
