package dev.dispatcher.service.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (Prometheus text format), {@code GET /health} (200 or 503 with a small JSON
 * body saying why), {@code GET /live} (liveness: 503 only when the daemon is broken for good and
 * should be restarted) and {@code GET /ready} (readiness: 200 once it has started and is healthy,
 * 503 while it starts, stops, or cannot reach the database), on the JDK's built-in HTTP server, one
 * virtual thread per request.
 */
public final class MetricsServer {

  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

  /** The daemon's health: healthy or not, and why. */
  public record Health(boolean healthy, String json) {}

  private final String host;
  private final int port;
  private final PrometheusMetrics metrics;
  private final Supplier<Health> health;
  private final Supplier<Health> live;
  private final Supplier<Health> ready;
  private HttpServer server;

  public MetricsServer(String host, int port, PrometheusMetrics metrics, Supplier<Health> health) {
    this(host, port, metrics, health, health, health);
  }

  public MetricsServer(String host, int port, PrometheusMetrics metrics, Supplier<Health> health, Supplier<Health> live,
      Supplier<Health> ready) {
    this.host = host;
    this.port = port;
    this.metrics = metrics;
    this.health = health;
    this.live = live;
    this.ready = ready;
  }

  /** Binds and serves. */
  public void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    server.createContext("/health", exchange -> respond(exchange, health.get()));
    server.createContext("/live", exchange -> respond(exchange, live.get()));
    server.createContext("/ready", exchange -> respond(exchange, ready.get()));
    server.start();
    log.info("metrics on http://{}:{}/metrics, health on /health, /live and /ready", host, server.getAddress().getPort());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, Health now) throws IOException {
    respond(exchange, now.healthy() ? 200 : 503, "application/json", now.json());
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
