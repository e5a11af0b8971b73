package dev.dispatcher.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.EventSubscription;
import dev.dispatcher.service.storage.TaskRecords;
import dev.dispatcher.service.suspension.Suspensions;
import dev.dispatcher.service.webhook.WebhookDelivery;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API under {@code /api/v1}, on the JDK's own HTTP server with a virtual thread per request
 * (no dependency: the API is small, HTTP/1.1 with keep-alive, behind the operator's TLS proxy if it
 * leaves the host). Every endpoint but the OpenAPI document and readiness needs a bearer token with
 * the endpoint's scope (401 without one, 403 with the wrong one); each token has a rate limit (429
 * with Retry-After); bodies have a size limit (413). At most {@value #MAX_IN_FLIGHT} requests are
 * handled at once; more get 503. Tokens are never logged.
 */
public final class ApiServer implements Service {

  static final String PREFIX = "/api/v1/";
  static final int MAX_IN_FLIGHT = 64;
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  /** The schedules listing, computed when asked. */
  @FunctionalInterface
  public interface Listing {
    ObjectNode get() throws SQLException;
  }

  private final DispatcherConfig.Api config;
  private final ObjectMapper mapper;
  private final BearerTokens tokens;
  private final RateLimiter limiter;
  private final TaskSubmissions submissions;
  private final TaskTypes taskTypes;
  private final Nodes nodes;
  private final Listing schedules;
  private final BooleanSupplier ready;
  private final TaskActions actions;
  private final TaskQueries queries;
  private final EventStream events;
  private final byte[] openApi;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private HttpServer server;
  private ExecutorService executor;

  private ApiServer(DispatcherConfig.Api config, ObjectMapper mapper, TaskSubmissions submissions, TaskTypes taskTypes, Nodes nodes,
      Listing schedules, BooleanSupplier ready, TaskActions actions, TaskQueries queries, EventStream events) {
    this.actions = actions;
    this.queries = queries;
    this.events = events;
    this.config = config;
    this.mapper = mapper;
    this.tokens = new BearerTokens(config.tokens());
    this.limiter = new RateLimiter(config.requestsPerSecond(), config.burst(), System::nanoTime);
    this.submissions = submissions;
    this.taskTypes = taskTypes;
    this.nodes = nodes;
    this.schedules = schedules;
    this.ready = ready;
    this.openApi = openApiDocument();
  }

  /**
   * The API over this daemon's parts.
   *
   * @param defaultChannel where a submission without a channel (whose task names none) goes
   * @param control the roll call's client (the daemon's connections)
   * @param schedules the configured schedules, as listed by {@code GET /schedules}
   * @param ready whether the daemon is ready for work ({@code GET /ready})
   * @param events the status events of the database's daemons, for {@code GET /events}; null when events are off
   */
  public static ApiServer create(DispatcherConfig.Api config, ObjectMapper mapper, TaskRegistry registry, DurableTasks rows,
      TaskRecords records, Suspensions suspensions, ControlClient control, List<String> channels, String defaultChannel, Listing schedules,
      BooleanSupplier ready, EventSubscription events) {
    return new ApiServer(config, mapper, new TaskSubmissions(registry, rows, mapper, defaultChannel),
        new TaskTypes(registry, rows, suspensions, mapper, defaultChannel), new Nodes(control, channels, mapper), schedules, ready,
        new TaskActions(rows, control, mapper), new TaskQueries(records, mapper), events == null ? null : new EventStream(events, mapper));
  }

  @Override
  public String name() {
    return "http api";
  }

  @Override
  public void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/api/", this::handle);
    if (events != null) {
      events.start();
    }
    server.start();
    log.info("http api on http://{}:{}{} ({} token(s))", config.host(), port(), PREFIX, config.tokens().size());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void stop() throws InterruptedException {
    if (events != null) {
      events.stop(); // ends the open streams, so the server's stop does not wait for them
    }
    if (server != null) {
      server.stop(1);
      executor.shutdown();
    }
  }

  private void handle(HttpExchange http) {
    try (http) {
      if (!inFlight.tryAcquire()) {
        reply(http, List.of(), new ApiProblem(503, "busy: " + MAX_IN_FLIGHT + " requests are being handled", Map.of(), Map.of("Retry-After", "1")));
        return;
      }
      try {
        String rawPath = http.getRequestURI().getRawPath();
        if (!rawPath.startsWith(PREFIX)) {
          reply(http, List.of(), new ApiProblem(404, "no such endpoint (the API is under " + PREFIX + ")"));
          return;
        }
        List<String> path;
        try {
          path = segments(rawPath.substring(PREFIX.length()));
        } catch (ApiProblem problem) {
          reply(http, List.of(), problem);
          return;
        }
        ApiExchange exchange = new ApiExchange(http, mapper, path, config.maxBodyBytes());
        try {
          route(exchange);
        } catch (ApiProblem problem) {
          exchange.respond(problem);
        } catch (SQLException e) {
          log.warn("http api {} {}: database error: {}", http.getRequestMethod(), UntrustedText.of(rawPath, 200),
              UntrustedText.of(e.getMessage(), 300));
          exchange.respond(new ApiProblem(503, "the database did not answer: try again", Map.of(), Map.of("Retry-After", "1")));
        } catch (RuntimeException e) {
          log.warn("http api {} {} failed: {}", http.getRequestMethod(), UntrustedText.of(rawPath, 200), e.toString(), e);
          exchange.respond(new ApiProblem(500, "internal error: " + ApiText.cut(e.toString())));
        }
      } finally {
        inFlight.release();
      }
    } catch (IOException | RuntimeException e) {
      log.debug("http api: could not answer: {}", e.toString()); // the client went away
    }
  }

  private void route(ApiExchange exchange) throws IOException, SQLException {
    List<String> path = exchange.path();
    String method = exchange.method();
    String first = path.isEmpty() ? "" : path.get(0);
    if (path.size() == 1 && first.equals("openapi.json")) {
      allow(method, "GET");
      exchange.respond(200, mapper.readTree(openApi));
      return;
    }
    if (path.size() == 1 && first.equals("ready")) {
      allow(method, "GET");
      boolean isReady = ready.getAsBoolean();
      ObjectNode body = mapper.createObjectNode().put("ready", isReady);
      exchange.respond(isReady ? 200 : 503, body);
      return;
    }
    switch (first) {
      case "tasks" -> {
        if (path.size() == 1 && method.equals("GET")) {
          authorize(exchange, Scope.READ);
          exchange.respond(200, queries.requests(exchange.query()));
          return;
        }
        if (path.size() == 1) {
          allow(method, "POST", "GET, POST");
          authorize(exchange, Scope.SUBMIT);
          respondSubmitted(exchange, submissions.submit(exchange.jsonObject()));
          return;
        }
        if (path.size() == 2) {
          allow(method, "GET");
          authorize(exchange, Scope.READ);
          exchange.respond(200, queries.status(path.get(1)));
          return;
        }
        if (path.size() == 3 && (path.get(2).equals("cancel") || path.get(2).equals("retry"))) {
          allow(method, "POST");
          authorize(exchange, Scope.ADMIN);
          TaskActions.Answer answer = path.get(2).equals("cancel") ? actions.cancel(path.get(1)) : actions.retry(path.get(1));
          exchange.respond(answer.status(), answer.body());
          return;
        }
        throw new ApiProblem(404, "no such endpoint: " + ApiText.cut(String.join("/", path)));
      }
      case "events" -> {
        exact(path, 1);
        allow(method, "GET");
        authorize(exchange, Scope.READ);
        if (events == null) {
          throw new ApiProblem(404, "status events are off on this daemon (events.enabled)");
        }
        ServerSentEvents.stream(exchange, events);
      }
      case "deliveries" -> {
        exact(path, 1);
        allow(method, "POST");
        authorize(exchange, Scope.SUBMIT);
        respondSubmitted(exchange, submissions.deliver(exchange.jsonObject(), WebhookDelivery.TASK));
      }
      case "task-types" -> {
        if (path.size() == 1) {
          allow(method, "GET");
          authorize(exchange, Scope.READ);
          exchange.respond(200, taskTypes.list());
          return;
        }
        if (path.size() == 3 && (path.get(2).equals("suspend") || path.get(2).equals("resume"))) {
          allow(method, "POST");
          authorize(exchange, Scope.ADMIN);
          exchange.respond(200, taskTypes.suspend(path.get(1), path.get(2).equals("suspend")));
          return;
        }
        throw new ApiProblem(404, "no such endpoint: " + ApiText.cut(String.join("/", path)));
      }
      case "nodes" -> {
        exact(path, 1);
        allow(method, "GET");
        authorize(exchange, Scope.READ);
        exchange.respond(200, nodes.rollCall());
      }
      case "schedules" -> {
        exact(path, 1);
        allow(method, "GET");
        authorize(exchange, Scope.READ);
        exchange.respond(200, schedules.get());
      }
      default -> throw new ApiProblem(404, "no such endpoint: " + ApiText.cut(String.join("/", path)));
    }
  }

  private void respondSubmitted(ApiExchange exchange, TaskSubmissions.Submitted submitted) throws IOException {
    ObjectNode body = mapper.createObjectNode();
    body.put("uuid", submitted.uuid());
    body.put("state", submitted.state());
    body.put("created", submitted.created());
    body.put("cached", submitted.cached());
    body.putObject("links").put("self", PREFIX + "tasks/" + submitted.uuid());
    exchange.respond(submitted.created() ? 202 : 200, body);
  }

  private void authorize(ApiExchange exchange, Scope scope) {
    BearerTokens.Caller caller = tokens.caller(exchange.header("Authorization"))
        .orElseThrow(() -> new ApiProblem(401, "a bearer token is required (Authorization: Bearer <token>)", Map.of(),
            Map.of("WWW-Authenticate", "Bearer realm=\"dispatcher\"")));
    if (!caller.may(scope)) {
      throw new ApiProblem(403, "token " + caller.name() + " lacks the scope " + scope.configName());
    }
    long waitNanos = limiter.acquire(caller.name());
    if (waitNanos > 0) {
      long seconds = Math.max(1, (waitNanos + 999_999_999) / 1_000_000_000);
      throw new ApiProblem(429, "token " + caller.name() + " is over its rate of " + ApiText.number(config.requestsPerSecond())
          + " requests a second (api.requests_per_second, api.burst)", Map.of(), Map.of("Retry-After", Long.toString(seconds)));
    }
  }

  private static void allow(String method, String allowed) {
    allow(method, allowed, allowed);
  }

  /** @param allowHeader every method the endpoint takes, for the 405's Allow header */
  private static void allow(String method, String allowed, String allowHeader) {
    if (!allowed.equals(method)) {
      throw new ApiProblem(405, "use " + allowHeader.replace(", ", " or ") + " here", Map.of(), Map.of("Allow", allowHeader));
    }
  }

  private static void exact(List<String> path, int size) {
    if (path.size() != size) {
      throw new ApiProblem(404, "no such endpoint: " + ApiText.cut(String.join("/", path)));
    }
  }

  private void reply(HttpExchange http, List<String> path, ApiProblem problem) throws IOException {
    new ApiExchange(http, mapper, path, config.maxBodyBytes()).respond(problem);
  }

  private static List<String> segments(String rest) {
    List<String> parts = new ArrayList<>();
    if (rest.isEmpty()) {
      return parts;
    }
    String[] raw = rest.split("/", 8);
    for (String part : raw) {
      if (!part.isEmpty()) {
        try {
          parts.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw new ApiProblem(400, "the path is not URL-encoded properly");
        }
      }
    }
    return parts;
  }

  private static byte[] openApiDocument() {
    try (InputStream in = ApiServer.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the daemon's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read openapi.json", e);
    }
  }
}
