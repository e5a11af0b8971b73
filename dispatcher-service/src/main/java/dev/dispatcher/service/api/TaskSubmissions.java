package dev.dispatcher.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.TaskDefinition;
import dev.dispatcher.wire.DurableTaskEncoder;
import dev.dispatcher.service.registry.BindException;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.storage.DurableTasks;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * {@code POST /api/v1/tasks}: a durable submission, checked the way the daemon would check it before
 * it runs (a registered task, arguments that bind, options in range), written as one row, answered
 * once the row is committed. A uuid given twice makes one task: the second answer says it existed.
 */
final class TaskSubmissions {

  static final Set<String> KEYS = Set.of("task", "args", "kwargs", "channel", "delay", "timeout", "priority", "max_attempts",
      "on_duplicate", "uuid", "client", "cache_for");
  private static final double MAX_DELAY_SECONDS = 31_536_000;

  /**
   * What a submission came to: the row's uuid and state, whether this request wrote it, and whether
   * the result cache answered it (then the uuid is the cached row's).
   */
  record Submitted(String uuid, String state, boolean created, boolean cached) {
    Submitted(String uuid, String state, boolean created) {
      this(uuid, state, created, false);
    }
  }

  private final TaskRegistry registry;
  private final DurableTasks rows;
  private final DurableTaskEncoder encoder;
  private final ObjectMapper mapper;
  private final String defaultChannel;

  TaskSubmissions(TaskRegistry registry, DurableTasks rows, ObjectMapper mapper, String defaultChannel) {
    this.registry = registry;
    this.rows = rows;
    this.encoder = new DurableTaskEncoder(mapper);
    this.mapper = mapper;
    this.defaultChannel = defaultChannel;
  }

  /** @throws ApiProblem 400 for a malformed field, 422 for an unknown task, arguments that do not bind or a serial task */
  Submitted submit(ObjectNode body) throws SQLException {
    Set<String> unknown = new TreeSet<>();
    body.fieldNames().forEachRemaining(name -> {
      if (!KEYS.contains(name)) {
        unknown.add(name);
      }
    });
    if (!unknown.isEmpty()) {
      throw new ApiProblem(400, "unknown field(s) " + ApiText.cut(String.join(", ", unknown)) + " (known: " + new TreeSet<>(KEYS) + ")");
    }
    String name = requiredText(body, "task");
    RegisteredTask task = registry.find(name);
    if (task == null) {
      throw new ApiProblem(422, "no registered task named '" + ApiText.cut(name) + "'", Map.of("field", "task"), Map.of());
    }
    TaskDefinition definition = task.definition();
    ArrayNode args = body.has("args") ? array(body.get("args")) : mapper.createArrayNode();
    ObjectNode kwargs = body.has("kwargs") ? object(body.get("kwargs")) : mapper.createObjectNode();
    try {
      task.bind(args, kwargs);
    } catch (BindException e) {
      throw new ApiProblem(422, ApiText.cut(e.getMessage()), Map.of("field", "args"), Map.of());
    }
    String uuid = body.has("uuid") ? uuid(body.get("uuid")) : UUID.randomUUID().toString();
    String channel = body.has("channel") ? requiredText(body, "channel")
        : definition.channel() != null ? definition.channel() : defaultChannel;
    if (channel.isEmpty() || channel.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
      throw new ApiProblem(400, "channel must have 1 to 63 bytes", Map.of("field", "channel"), Map.of());
    }
    double delay = number(body, "delay", 0, 0, MAX_DELAY_SECONDS);
    double timeout = number(body, "timeout", definition.timeoutSeconds(), 0, TaskDefinition.DURABLE_TIMEOUT_LIMIT_SECONDS);
    int priority = integer(body, "priority", definition.priority(), -1_000_000, 1_000_000);
    int maxAttempts = integer(body, "max_attempts", definition.maxAttempts(), 1, TaskDefinition.MAX_ATTEMPTS_LIMIT);
    OnDuplicate onDuplicate = body.has("on_duplicate") ? onDuplicate(body.get("on_duplicate")) : definition.onDuplicate();
    if (onDuplicate == OnDuplicate.SERIAL) {
      throw new ApiProblem(422, "task " + ApiText.cut(name) + " is on_duplicate serial, which durable tasks do not take"
          + " (discard, queue_one or parallel)", Map.of("field", "on_duplicate"), Map.of());
    }
    String client = body.has("client") ? client(body.get("client")) : null;
    Double cacheFor = cacheFor(body, definition);
    String json = encoder.encode(new DurableTaskEncoder.Fields(name, channel, uuid, mapper.convertValue(args, List.class),
        mapper.convertValue(kwargs, Map.class), delay, timeout, onDuplicate.wireName(), priority, maxAttempts,
        definition.backoffSeconds(), definition.maxBackoffSeconds(), Instant.now(), definition.bind(), client, cacheFor));
    String answered = rows.enqueueAnswering(json);
    if (answered != null && !answered.equals(uuid)) {
      return new Submitted(answered, "completed", false, true); // the cache answered: a completed row's result, nothing runs
    }
    boolean created = answered != null;
    String state = delay > 0 ? "scheduled" : "available";
    if (!created) {
      String existing = rows.stateOf(uuid);
      if (existing == null) {
        throw new ApiProblem(409, "a task like this one waits or runs already: on_duplicate " + onDuplicate.wireName()
            + " kept this one out", Map.of("field", "on_duplicate"), Map.of());
      }
      state = existing;
    }
    return new Submitted(uuid, state, created);
  }

  /**
   * The submission's {@code cache_for}, else its task's {@code @Task(cacheFor)}; 0 (answer from no
   * cache, be an entry for later ones) when the caller gave the uuid: a given uuid must name the row.
   */
  private static Double cacheFor(ObjectNode body, TaskDefinition definition) {
    Double seconds = null; // no cache: no key computed, nothing looked up
    if (body.has("cache_for")) {
      seconds = number(body, "cache_for", 0, 0, MAX_DELAY_SECONDS);
    } else if (definition.cacheForSeconds() > 0) {
      seconds = definition.cacheForSeconds();
    }
    if (seconds != null && seconds > 0 && body.has("uuid")) {
      if (body.has("cache_for")) {
        throw new ApiProblem(400, "cache_for and uuid exclude each other: a cache hit answers with the cached row's uuid",
            Map.of("field", "cache_for"), Map.of());
      }
      return 0.0;
    }
    return seconds;
  }

  private static String client(com.fasterxml.jackson.databind.JsonNode value) {
    if (!value.isTextual()) {
      throw new ApiProblem(400, "client must be a string", Map.of("field", "client"), Map.of());
    }
    try {
      return dev.dispatcher.status.ClientNames.check(value.textValue());
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, ApiText.cut(e.getMessage()), Map.of("field", "client"), Map.of());
    }
  }

  static final Set<String> DELIVERY_KEYS = Set.of("url", "method", "headers", "body", "timeout", "uuid");
  private static final Set<String> DELIVERY_METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  /**
   * {@code POST /api/v1/deliveries}: a submission of the built-in webhook task, its request checked
   * for what can be checked before any attempt (the allow-list is checked at each attempt).
   */
  Submitted deliver(ObjectNode body, String webhookTask) throws SQLException {
    if (registry.find(webhookTask) == null) {
      throw new ApiProblem(404, "the webhook relay is off on this daemon (webhooks.enabled)");
    }
    Set<String> unknown = new TreeSet<>();
    body.fieldNames().forEachRemaining(name -> {
      if (!DELIVERY_KEYS.contains(name)) {
        unknown.add(name);
      }
    });
    if (!unknown.isEmpty()) {
      throw new ApiProblem(400, "unknown field(s) " + ApiText.cut(String.join(", ", unknown)) + " (known: " + new TreeSet<>(DELIVERY_KEYS) + ")");
    }
    String url = requiredText(body, "url");
    java.net.URI uri;
    try {
      uri = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new ApiProblem(400, "url is not a URL: " + ApiText.cut(e.getMessage()), Map.of("field", "url"), Map.of());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new ApiProblem(400, "url must be an http or https URL with a host", Map.of("field", "url"), Map.of());
    }
    if (body.has("method") && !(body.get("method").isTextual() && DELIVERY_METHODS.contains(body.get("method").textValue()))) {
      throw new ApiProblem(400, "method must be one of " + new TreeSet<>(DELIVERY_METHODS), Map.of("field", "method"), Map.of());
    }
    if (body.has("headers") && !body.get("headers").isObject()) {
      throw new ApiProblem(400, "headers must be an object of names and values", Map.of("field", "headers"), Map.of());
    }
    if (body.has("body") && !body.get("body").isTextual()) {
      throw new ApiProblem(400, "body must be a string (send JSON as its text)", Map.of("field", "body"), Map.of());
    }
    ObjectNode request = body.deepCopy();
    request.remove("uuid");
    ObjectNode submission = mapper.createObjectNode();
    submission.put("task", webhookTask);
    submission.putArray("args").add(request);
    if (body.has("uuid")) {
      submission.set("uuid", body.get("uuid"));
    }
    return submit(submission);
  }

  private static String requiredText(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual()) {
      throw new ApiProblem(400, field + " must be a string" + (value == null ? " and is required" : ""), Map.of("field", field), Map.of());
    }
    return value.textValue();
  }

  private static ArrayNode array(JsonNode value) {
    if (!value.isArray()) {
      throw new ApiProblem(400, "args must be a JSON array", Map.of("field", "args"), Map.of());
    }
    return (ArrayNode) value;
  }

  private static ObjectNode object(JsonNode value) {
    if (!value.isObject()) {
      throw new ApiProblem(400, "kwargs must be a JSON object", Map.of("field", "kwargs"), Map.of());
    }
    return (ObjectNode) value;
  }

  private static String uuid(JsonNode value) {
    if (value.isTextual()) {
      try {
        String text = value.textValue();
        if (text.length() == 36) {
          return UUID.fromString(text).toString();
        }
      } catch (IllegalArgumentException e) {
        // answered below
      }
    }
    throw new ApiProblem(400, "uuid must be a UUID such as 5d4c2f0e-8b1a-4f7e-9c3d-2a1b0c9d8e7f", Map.of("field", "uuid"), Map.of());
  }

  private static double number(ObjectNode body, String field, double fallback, double min, double max) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isNumber() || !(value.doubleValue() >= min && value.doubleValue() <= max)) {
      throw new ApiProblem(400, field + " must be a number from " + ApiText.number(min) + " to " + ApiText.number(max),
          Map.of("field", field), Map.of());
    }
    return value.doubleValue();
  }

  private static int integer(ObjectNode body, String field, int fallback, int min, int max) {
    JsonNode value = body.get(field);
    if (value != null && !value.isNull() && !value.isIntegralNumber()) {
      throw new ApiProblem(400, field + " must be a whole number from " + min + " to " + max, Map.of("field", field), Map.of());
    }
    return (int) number(body, field, fallback, min, max);
  }

  private static OnDuplicate onDuplicate(JsonNode value) {
    if (value.isTextual()) {
      for (OnDuplicate policy : OnDuplicate.values()) {
        if (policy.wireName().equals(value.textValue())) {
          return policy;
        }
      }
    }
    throw new ApiProblem(400, "on_duplicate must be one of parallel, discard, queue_one", Map.of("field", "on_duplicate"), Map.of());
  }
}
