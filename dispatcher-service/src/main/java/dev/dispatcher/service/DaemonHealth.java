package dev.dispatcher.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.service.health.HealthStatus;
import dev.dispatcher.service.listener.PgNotifyListener;
import dev.dispatcher.service.metrics.MetricsServer;
import java.util.function.BooleanSupplier;

/**
 * The daemon's health: healthy while nothing fatal happened, the listener is connected and its
 * last self-check passed. {@code GET /health} and the control replies read it from {@link #status()}.
 */
final class DaemonHealth {

  private final String nodeId;
  private final PgNotifyListener listener;
  private final FatalFailure failure;
  private final ObjectMapper mapper;
  private final BooleanSupplier claimsReachTheDatabase;

  /** @param claimsReachTheDatabase false while the durable claimer cannot reach the database (always true without durable mode) */
  DaemonHealth(String nodeId, PgNotifyListener listener, FatalFailure failure, ObjectMapper mapper, BooleanSupplier claimsReachTheDatabase) {
    this.nodeId = nodeId;
    this.listener = listener;
    this.failure = failure;
    this.mapper = mapper;
    this.claimsReachTheDatabase = claimsReachTheDatabase;
  }

  HealthStatus status() {
    boolean listening = listener.hasListened();
    boolean connected = listener.isConnected();
    boolean checked = listener.lastSelfCheckPassed();
    String reason = failure.failure().map(FatalFailure.Failure::describe)
        .orElse(!connected ? (listening ? "the LISTEN connection is down" : "not connected yet; retrying")
            : !checked ? "the last listener self-check failed"
            : !claimsReachTheDatabase.getAsBoolean() ? "the durable claimer cannot reach the database" : null);
    return new HealthStatus(listening, connected, checked, reason);
  }

  /** {@code GET /live}: down only after a fatal failure (the daemon stops; restart it). */
  MetricsServer.Health live() {
    ObjectNode body = mapper.createObjectNode();
    body.put("node_id", nodeId);
    failure.failure().ifPresentOrElse(fatal -> body.put("status", "unavailable").put("reason", fatal.describe()), () -> body.put("status", "ok"));
    return new MetricsServer.Health(failure.failure().isEmpty(), body.toString());
  }

  /** {@code GET /ready}: healthy, and started (every part running) and not stopping. */
  MetricsServer.Health ready(boolean started) {
    HealthStatus status = status();
    ObjectNode body = mapper.createObjectNode();
    boolean ready = started && status.healthy();
    body.put("status", ready ? "ok" : "unavailable");
    body.put("node_id", nodeId);
    if (!ready) {
      body.put("reason", !started ? "starting or stopping" : status.reason());
    }
    return new MetricsServer.Health(ready, body.toString());
  }

  /** {@code GET /health}. */
  MetricsServer.Health check() {
    HealthStatus status = status();
    ObjectNode body = mapper.createObjectNode();
    body.put("status", status.label());
    body.put("node_id", nodeId);
    body.put("listener_connected", status.listenerConnected());
    body.put("last_self_check_passed", status.lastSelfCheckPassed());
    if (status.reason() != null) {
      body.put("reason", status.reason());
    }
    return new MetricsServer.Health(status.healthy(), body.toString());
  }
}
