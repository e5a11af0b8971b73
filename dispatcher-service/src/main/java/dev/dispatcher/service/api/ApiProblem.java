package dev.dispatcher.service.api;

import java.util.Map;

/**
 * A request the API answers with an error: its HTTP status, a message for people, and fields for
 * programs (e.g. the position of bad JSON). The body is {@code {"error": {"status": 400, "message":
 * "…", …}}}.
 */
final class ApiProblem extends RuntimeException {

  private final int status;
  private final Map<String, Object> details;
  private final Map<String, String> headers;

  ApiProblem(int status, String message) {
    this(status, message, Map.of(), Map.of());
  }

  ApiProblem(int status, String message, Map<String, Object> details, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.details = details;
    this.headers = headers;
  }

  int status() {
    return status;
  }

  Map<String, Object> details() {
    return details;
  }

  Map<String, String> headers() {
    return headers;
  }
}
