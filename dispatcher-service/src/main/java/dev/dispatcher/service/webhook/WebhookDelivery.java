package dev.dispatcher.service.webhook;

import dev.dispatcher.DoNotRetry;
import dev.dispatcher.RetryAfter;
import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import dev.dispatcher.service.config.DispatcherConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The webhook relay, a built-in durable task: it makes the HTTP request a submission describes and
 * turns the answer into an outcome the durable mode understands. 2xx: done (the status, duration
 * and the start of the response are the result). A network error, a timeout, 408, 429 and 5xx: the
 * attempt fails and the task's backoff applies (2, 4, 8, 16 s … with jitter, 10 attempts), or the
 * receiver's {@code Retry-After} on 429 and 503 (at most an hour). Any other 4xx (410 included): failed
 * for good, no retry. A target the allow-list refuses fails for good without a request. Redirects
 * are not followed unless configured; a response is read up to {@code webhooks.max_response_kib}.
 */
public final class WebhookDelivery {

  public static final String TASK = "dispatcher.webhook";
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final int MAX_HEADERS = 50;
  private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  private static final int ERROR_BODY_CHARS = 200;

  private final DispatcherConfig.Webhooks config;
  private final TargetPolicy policy;
  private final Resolver resolver;
  private final HttpClient client;

  /** How a host name becomes addresses (the system's resolver; a seam for tests). */
  @FunctionalInterface
  interface Resolver {
    List<InetAddress> resolve(String host) throws IOException;
  }

  public WebhookDelivery(DispatcherConfig.Webhooks config) {
    this(config, host -> Arrays.asList(InetAddress.getAllByName(host)));
  }

  WebhookDelivery(DispatcherConfig.Webhooks config, Resolver resolver) {
    this.config = config;
    this.policy = new TargetPolicy(config.allow());
    this.resolver = resolver;
    this.client = HttpClient.newBuilder().followRedirects(config.followRedirects() ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
        .connectTimeout(config.defaultTimeout()).build();
  }

  /**
   * Delivers one request: {@code {"url": …, "method": "POST", "headers": {…}, "body": "…", "timeout": 10}}.
   * The task's own timeout is past the longest request timeout: the request's is what counts.
   */
  @Task(name = TASK, bind = true, durable = true, maxAttempts = 10, backoff = 2, maxBackoff = 3600, timeout = 700)
  public Map<String, Object> deliver(TaskContext context, Map<String, Object> request) throws InterruptedException {
    Target target = target(request);
    HttpRequest.Builder http = HttpRequest.newBuilder(target.uri()).timeout(target.timeout());
    target.headers().forEach((name, value) -> {
      try {
        http.header(name, value);
      } catch (IllegalArgumentException e) {
        throw new DoNotRetry("header " + cut(name) + " cannot be sent: " + e.getMessage(), null);
      }
    });
    String body = target.body();
    String secret = config.secrets().get(target.uri().getHost().toLowerCase(Locale.ROOT));
    if (secret != null) {
      long timestamp = System.currentTimeMillis() / 1000;
      http.header("webhook-id", context.uuid());
      http.header("webhook-timestamp", Long.toString(timestamp));
      http.header("webhook-signature", new WebhookSigner(secret).signature(context.uuid(), timestamp, body == null ? "" : body));
    }
    http.method(target.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    long start = System.nanoTime();
    HttpResponse<InputStream> response;
    byte[] read;
    try {
      response = client.send(http.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        read = in.readNBytes(config.maxResponseBytes() + 1);
      }
    } catch (HttpTimeoutException e) {
      throw new IllegalStateException(describe(target) + ": no answer within " + target.timeout().toMillis() + " ms", e);
    } catch (IOException e) {
      throw new IllegalStateException(describe(target) + " failed after " + millis(start) + " ms: " + e, e);
    }
    long took = millis(start);
    int status = response.statusCode();
    boolean truncated = read.length > config.maxResponseBytes();
    String text = new String(read, 0, Math.min(read.length, config.maxResponseBytes()), StandardCharsets.UTF_8);
    if (status >= 200 && status < 300) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("status", status);
      result.put("duration_ms", took);
      result.put("response", text);
      result.put("response_truncated", truncated);
      return result;
    }
    String failure = describe(target) + ": HTTP " + status + " after " + took + " ms" + (text.isEmpty() ? "" : ": " + cut(text));
    if (status == 429 || status == 503) {
      Duration after = retryAfter(response.headers().firstValue("Retry-After").orElse(null));
      if (after != null) {
        throw new RetryAfter(after, failure + " (Retry-After " + after.toSeconds() + " s)");
      }
    }
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
      throw new DoNotRetry(failure + " (not retried: the receiver refuses it)", null);
    }
    throw new IllegalStateException(failure);
  }

  private record Target(URI uri, String method, Map<String, String> headers, String body, Duration timeout) {}

  private Target target(Map<String, Object> request) {
    if (request == null) {
      throw new DoNotRetry("the delivery needs a request object: {\"url\": …}", null);
    }
    URI uri;
    try {
      uri = new URI(String.valueOf(request.get("url")));
    } catch (URISyntaxException e) {
      throw new DoNotRetry("url is not a URL: " + cut(e.getMessage()), null);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new DoNotRetry("url must be an http or https URL with a host, was " + cut(String.valueOf(request.get("url"))), null);
    }
    String method = String.valueOf(request.getOrDefault("method", "POST")).toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw new DoNotRetry("method must be one of " + METHODS + ", was " + cut(method), null);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (request.get("headers") instanceof Map<?, ?> given) {
      if (given.size() > MAX_HEADERS) {
        throw new DoNotRetry("at most " + MAX_HEADERS + " headers, were " + given.size(), null);
      }
      given.forEach((name, value) -> headers.put(String.valueOf(name), String.valueOf(value)));
    } else if (request.get("headers") != null) {
      throw new DoNotRetry("headers must be an object of names and values", null);
    }
    Object body = request.get("body");
    if (body != null && !(body instanceof String)) {
      throw new DoNotRetry("body must be a string (send JSON as its text)", null);
    }
    Duration timeout = config.defaultTimeout();
    if (request.get("timeout") instanceof Number seconds) {
      double value = seconds.doubleValue();
      if (!(value > 0 && value <= config.maxTimeout().toSeconds())) {
        throw new DoNotRetry("timeout must be more than 0 and at most " + config.maxTimeout().toSeconds() + " seconds", null);
      }
      timeout = Duration.ofMillis((long) (value * 1000));
    }
    List<InetAddress> addresses;
    try {
      addresses = resolver.resolve(uri.getHost());
    } catch (IOException e) {
      throw new IllegalStateException("cannot resolve " + uri.getHost() + ": " + e.getMessage(), e); // DNS may come back
    }
    String refusal = policy.refusal(uri.getHost(), addresses);
    if (refusal != null) {
      throw new DoNotRetry(refusal, null);
    }
    return new Target(uri, method, headers, (String) body, timeout);
  }

  /** Seconds or an HTTP date; null when absent or unreadable; at most an hour. */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    Duration after;
    try {
      after = Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
    } catch (NumberFormatException e) {
      try {
        after = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
        after = after.isNegative() ? Duration.ZERO : after;
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
    return after.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : after;
  }

  private static String describe(Target target) {
    return target.method() + " " + cut(target.uri().toString());
  }

  private static long millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String cut(String text) {
    return text == null || text.length() <= ERROR_BODY_CHARS ? text : text.substring(0, ERROR_BODY_CHARS) + "…";
  }
}
