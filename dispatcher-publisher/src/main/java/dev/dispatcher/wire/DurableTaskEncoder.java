package dev.dispatcher.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes one durable task as the JSON object {@code <schema>.enqueue_many(batch jsonb)} takes: task,
 * channel, uuid, args, kwargs, delay, timeout, on_duplicate, priority, max_attempts, backoff,
 * max_backoff, time_pub, then bind, client and cache_for when set. Every value is written, the defaults too, so the row
 * says what the publisher meant and not what the function's defaults are; delay and timeout only
 * when above 0, as the function takes "absent" to mean 0 and "none". The function keeps the keys
 * it has no column for (time_pub, bind) in the row's {@code message}.
 *
 * <pre>{@code
 * {"task":"app.send","channel":"emails","uuid":"…","args":["a@b"],"kwargs":{},"on_duplicate":"parallel",
 *  "priority":0,"max_attempts":10,"backoff":2.0,"max_backoff":3600.0,"time_pub":1700000000.500000}
 * }</pre>
 */
public final class DurableTaskEncoder {

  /**
   * One durable task.
   *
   * @param onDuplicate the wire name: parallel, discard or queue_one
   * @param timePub publish time; written as the task message writes it
   * @param cacheForSeconds the result cache: how old a completed result of the same task and
   *     arguments may be to answer this task instead of a run (0: none may, but this one's result
   *     answers later ones); null for a task that has nothing to do with the cache
   */
  public record Fields(
      String task,
      String channel,
      String uuid,
      List<?> args,
      Map<String, ?> kwargs,
      double delaySeconds,
      double timeoutSeconds,
      String onDuplicate,
      int priority,
      int maxAttempts,
      double backoffSeconds,
      double maxBackoffSeconds,
      Instant timePub,
      boolean bind,
      String client,
      Double cacheForSeconds) {

    /** A task without a client. */
    public Fields(String task, String channel, String uuid, List<?> args, Map<String, ?> kwargs, double delaySeconds,
        double timeoutSeconds, String onDuplicate, int priority, int maxAttempts, double backoffSeconds, double maxBackoffSeconds,
        Instant timePub, boolean bind) {
      this(task, channel, uuid, args, kwargs, delaySeconds, timeoutSeconds, onDuplicate, priority, maxAttempts, backoffSeconds,
          maxBackoffSeconds, timePub, bind, null);
    }

    /** A task without the result cache. */
    public Fields(String task, String channel, String uuid, List<?> args, Map<String, ?> kwargs, double delaySeconds,
        double timeoutSeconds, String onDuplicate, int priority, int maxAttempts, double backoffSeconds, double maxBackoffSeconds,
        Instant timePub, boolean bind, String client) {
      this(task, channel, uuid, args, kwargs, delaySeconds, timeoutSeconds, onDuplicate, priority, maxAttempts, backoffSeconds,
          maxBackoffSeconds, timePub, bind, client, null);
    }
  }

  private final ArgumentWriter arguments;

  public DurableTaskEncoder(ObjectMapper mapper) {
    this.arguments = new ArgumentWriter(mapper);
  }

  /**
   * Encodes one task object.
   *
   * @throws IllegalArgumentException when an argument cannot be written as JSON, or would be
   *     written as an empty object although it is not empty, naming it and its type
   */
  public String encode(Fields fields) {
    StringBuilder json = new StringBuilder(256);
    json.append("{\"").append(WireFormat.TASK).append("\":");
    JsonText.appendString(json, fields.task());
    json.append(",\"").append(WireFormat.CHANNEL).append("\":");
    JsonText.appendString(json, fields.channel());
    json.append(",\"").append(WireFormat.UUID).append("\":");
    JsonText.appendString(json, fields.uuid());
    json.append(",\"").append(WireFormat.ARGS).append("\":");
    arguments.appendArgs(json, fields.args() == null ? List.of() : fields.args());
    json.append(",\"").append(WireFormat.KWARGS).append("\":");
    arguments.appendKwargs(json, fields.kwargs() == null ? Map.of() : fields.kwargs());
    if (fields.delaySeconds() > 0) {
      json.append(",\"").append(WireFormat.DELAY).append("\":").append(fields.delaySeconds());
    }
    if (fields.timeoutSeconds() > 0) {
      json.append(",\"").append(WireFormat.TIMEOUT).append("\":").append(fields.timeoutSeconds());
    }
    json.append(",\"").append(WireFormat.ON_DUPLICATE).append("\":");
    JsonText.appendString(json, fields.onDuplicate());
    json.append(",\"priority\":").append(fields.priority());
    json.append(",\"max_attempts\":").append(fields.maxAttempts());
    json.append(",\"backoff\":").append(fields.backoffSeconds());
    json.append(",\"max_backoff\":").append(fields.maxBackoffSeconds());
    json.append(",\"").append(WireFormat.TIME_PUB).append("\":");
    TaskMessageEncoder.appendEpochSeconds(json, fields.timePub());
    if (fields.bind()) {
      json.append(",\"").append(WireFormat.BIND).append("\":true");
    }
    if (fields.client() != null) {
      json.append(",\"").append(WireFormat.CLIENT).append("\":");
      JsonText.appendString(json, fields.client());
    }
    if (fields.cacheForSeconds() != null) {
      json.append(",\"cache_for\":").append(fields.cacheForSeconds().doubleValue());
    }
    return json.append('}').toString();
  }
}
