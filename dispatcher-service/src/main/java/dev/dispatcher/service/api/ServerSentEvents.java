package dev.dispatcher.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /api/v1/events}: the status events as a {@code text/event-stream}, one SSE event per
 * status event ({@code id}, {@code event} = its kind, {@code data} = its JSON), optionally only
 * those of one task name ({@code ?task=}) or one uuid ({@code ?uuid=}). A comment line every
 * {@value #KEEP_ALIVE_MILLIS} ms keeps proxies from closing a quiet stream; a stream that fell
 * {@value EventStream#BUFFER} events behind ends with an {@code overflow} event.
 */
final class ServerSentEvents {

  static final long KEEP_ALIVE_MILLIS = 15_000;

  private ServerSentEvents() {}

  static void stream(ApiExchange exchange, EventStream events) throws IOException {
    Map<String, String> query = exchange.query();
    String task = query.get("task");
    String uuid = query.get("uuid");
    Predicate<JsonNode> filter = event -> (task == null || task.equals(event.path("task").asText()))
        && (uuid == null || uuid.equals(event.path("uuid").asText()));
    try (EventStream.Subscriber subscriber = events.subscribe(filter)) {
      if (subscriber == null) {
        throw new ApiProblem(503, EventStream.MAX_STREAMS + " event streams are open, the most this daemon serves", Map.of(),
            Map.of("Retry-After", "5"));
      }
      try (OutputStream out = exchange.stream(200, "text/event-stream; charset=utf-8", Map.of("Cache-Control", "no-cache"))) {
        write(out, ": dispatcher status events\n\n");
        while (true) {
          EventStream.Numbered next = subscriber.next(KEEP_ALIVE_MILLIS);
          if (next == null) {
            write(out, ": keep-alive\n\n");
          } else if (next.event() == null) {
            if (subscriber.overflowed()) {
              write(out, "event: overflow\ndata: {\"message\":\"this stream fell " + EventStream.BUFFER
                  + " events behind and ends; reconnect\"}\n\n");
            }
            return;
          } else {
            write(out, "id: " + next.id() + "\nevent: " + next.event().path("event").asText("event").replaceAll("[^a-z_]", "")
                + "\ndata: " + next.event() + "\n\n");
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
