package dev.dispatcher.service.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One API request and its answer: the path's segments after {@code /api/v1/}, the query, a body read
 * up to its bound and parsed as JSON (a parse error names its line and column), and a JSON reply.
 */
final class ApiExchange {

  private static final int MAX_QUERY_PARAMETERS = 32;

  private final HttpExchange exchange;
  private final ObjectMapper mapper;
  private final List<String> path;
  private final int maxBodyBytes;

  ApiExchange(HttpExchange exchange, ObjectMapper mapper, List<String> path, int maxBodyBytes) {
    this.exchange = exchange;
    this.mapper = mapper;
    this.path = path;
    this.maxBodyBytes = maxBodyBytes;
  }

  String method() {
    return exchange.getRequestMethod();
  }

  /** The path after {@code /api/v1/}, split at {@code /}, each part URL-decoded. */
  List<String> path() {
    return path;
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** The query's parameters (the first of each name), at most {@value #MAX_QUERY_PARAMETERS}. */
  Map<String, String> query() {
    String raw = exchange.getRequestURI().getRawQuery();
    Map<String, String> parameters = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return parameters;
    }
    String[] pairs = raw.split("&", MAX_QUERY_PARAMETERS + 1);
    if (pairs.length > MAX_QUERY_PARAMETERS) {
      throw new ApiProblem(400, "at most " + MAX_QUERY_PARAMETERS + " query parameters");
    }
    for (String pair : pairs) {
      int equals = pair.indexOf('=');
      String name = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
      parameters.putIfAbsent(name, value);
    }
    return parameters;
  }

  /**
   * The body as a JSON object.
   *
   * @throws ApiProblem 413 past the bound, 400 when it is not JSON (with line and column) or not an object
   */
  ObjectNode jsonObject() throws IOException {
    byte[] body = body();
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      Map<String, Object> position = new LinkedHashMap<>();
      if (where != null) {
        position.put("line", where.getLineNr());
        position.put("column", where.getColumnNr());
        position.put("offset", where.getByteOffset() >= 0 ? where.getByteOffset() : where.getCharOffset());
      }
      throw new ApiProblem(400, "the body is not valid JSON: " + e.getOriginalMessage(), Map.of("position", position), Map.of());
    }
    if (node == null || !node.isObject()) {
      throw new ApiProblem(400, "the body must be a JSON object, was " + (node == null ? "empty" : node.getNodeType().toString().toLowerCase()));
    }
    return (ObjectNode) node;
  }

  private byte[] body() throws IOException {
    String length = header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > maxBodyBytes) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw new ApiProblem(400, "Content-Length is not a number");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] read = in.readNBytes(maxBodyBytes + 1); // a chunked body has no length to check first
      if (read.length > maxBodyBytes) {
        throw tooLarge();
      }
      return read;
    }
  }

  private ApiProblem tooLarge() {
    return new ApiProblem(413, "the body is over this API's limit of " + maxBodyBytes + " bytes (api.max_body_kib)");
  }

  /** Sends a JSON reply and ends the exchange. */
  void respond(int status, JsonNode body, Map<String, String> headers) throws IOException {
    byte[] bytes = mapper.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Starts a streamed reply of unknown length (chunked); the caller writes the body and closes it. */
  OutputStream stream(int status, String contentType, Map<String, String> headers) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    exchange.sendResponseHeaders(status, 0);
    return exchange.getResponseBody();
  }

  void respond(int status, JsonNode body) throws IOException {
    respond(status, body, Map.of());
  }

  /** An error reply: {@code {"error": {"status": …, "message": …, …details}}}. */
  void respond(ApiProblem problem) throws IOException {
    ObjectNode body = mapper.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("status", problem.status());
    error.put("message", problem.getMessage());
    problem.details().forEach((key, value) -> error.set(key, mapper.valueToTree(value)));
    respond(problem.status(), body, problem.headers());
  }

  ObjectMapper mapper() {
    return mapper;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, "the query is not URL-encoded properly");
    }
  }
}
