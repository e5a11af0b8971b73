package dev.dispatcher.wire;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** Keys and limits of the dispatcherd wire format (shared/spec/wire-format.md). */
public final class WireFormat {

  public static final String TASK = "task";
  public static final String UUID = "uuid";
  public static final String ARGS = "args";
  public static final String KWARGS = "kwargs";
  public static final String TIME_PUB = "time_pub";
  public static final String TIMEOUT = "timeout";
  public static final String DELAY = "delay";
  public static final String ON_DUPLICATE = "on_duplicate";
  public static final String BIND = "bind";
  public static final String CHANNEL = "channel";
  public static final String CALLBACKS = "callbacks";
  public static final String ERRBACKS = "errbacks";
  public static final String CONTROL = "control";
  /** Who submitted a task ({@code SubmitOptions.client}); ours, not dispatcherd's. */
  public static final String CLIENT = "client";
  /**
   * The key of a durable queue's doorbell, {@code {"doorbell":"durable"}}: a NOTIFY that only says
   * "rows wait on this channel" (see {@code dispatcher.enqueue_many}); it is never a task itself.
   */
  public static final String DOORBELL = "doorbell";

  /** Postgres rejects a NOTIFY payload of this many bytes or more. */
  public static final int MAX_PAYLOAD_BYTES = 8000;

  private WireFormat() {}

  /**
   * The JSON mapper both sides use: {@code java.time} values as ISO strings, and strict
   * conversion so that a wrong argument type is an error rather than a silent coercion.
   */
  public static ObjectMapper newObjectMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        // every message carries time_pub: the JDK's double parsing was ~9% of the dispatch thread
        .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        // "{...} junk" or two objects in one payload are malformed, not a message plus leftovers
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        // ALLOW_COERCION_OF_SCALARS does not cover number/boolean -> String: refuse those too
        .withCoercionConfig(LogicalType.Textual, config -> config
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .build();
  }
}
