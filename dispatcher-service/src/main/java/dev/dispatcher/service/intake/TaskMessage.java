package dev.dispatcher.service.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.wire.WireFormat;
import java.util.function.Supplier;

/**
 * A decoded task message: its known keys, typed, and {@link #raw()}, the whole message as it
 * came (unknown keys included) with {@code channel} and, when it arrived without one, {@code uuid}
 * added. For messages read from the wire the raw tree is built on first use only: the dispatch
 * path needs just the known keys.
 */
public final class TaskMessage {

  private final String uuid;
  private final String task;
  private final ArrayNode args;
  private final ObjectNode kwargs;
  private final double timePub;
  private final double timeoutSeconds;
  private final double delaySeconds;
  private final OnDuplicate onDuplicate;
  private final String channel;
  private final boolean hasFollowUps;
  private final boolean onDuplicateGiven;
  private final long memoryBytes;
  private final Supplier<ObjectNode> rawSource;
  private volatile ObjectNode raw;

  private TaskMessage(ObjectNode raw, Supplier<ObjectNode> rawSource, String uuid, String task, ArrayNode args,
      ObjectNode kwargs, double timePub, double timeoutSeconds, double delaySeconds, OnDuplicate onDuplicate, String channel,
      boolean hasFollowUps, boolean onDuplicateGiven, long memoryBytes) {
    this.raw = raw;
    this.memoryBytes = memoryBytes;
    this.rawSource = rawSource;
    this.uuid = uuid;
    this.task = task;
    this.args = args;
    this.kwargs = kwargs;
    this.timePub = timePub;
    this.timeoutSeconds = timeoutSeconds;
    this.delaySeconds = delaySeconds;
    this.onDuplicate = onDuplicate;
    this.channel = channel;
    this.hasFollowUps = hasFollowUps;
    this.onDuplicateGiven = onDuplicateGiven;
  }

  /**
   * A message whose known keys were read already (by a streaming parse); {@code rawSource} builds
   * the whole tree when {@link #raw()} is first called.
   */
  static TaskMessage streamed(Supplier<ObjectNode> rawSource, String uuid, String task, ArrayNode args, ObjectNode kwargs,
      double timePub, double timeoutSeconds, double delaySeconds, OnDuplicate onDuplicate, String channel, boolean hasFollowUps,
      boolean onDuplicateGiven, long memoryBytes) {
    return new TaskMessage(null, rawSource, uuid, task, args, kwargs, timePub, timeoutSeconds, delaySeconds, onDuplicate, channel,
        hasFollowUps, onDuplicateGiven, memoryBytes);
  }

  /** The memory this message is estimated to take while the daemon holds it (for the bounds on waiting work). */
  public long memoryBytes() {
    return memoryBytes;
  }

  /** Whether the message named an on_duplicate policy; without one the task's own default applies. */
  public boolean onDuplicateGiven() {
    return onDuplicateGiven;
  }

  /** Whether the message carries {@code callbacks} or {@code errbacks} (read from {@link #raw()}). */
  public boolean hasFollowUps() {
    return hasFollowUps;
  }

  /** The whole message as it arrived, with {@code channel} (and a generated {@code uuid}) added. */
  public ObjectNode raw() {
    ObjectNode tree = raw;
    if (tree == null) {
      tree = rawSource.get(); // idempotent: a race builds two equal trees and keeps one
      raw = tree;
    }
    return tree;
  }

  public String uuid() {
    return uuid;
  }

  public String task() {
    return task;
  }

  public ArrayNode args() {
    return args;
  }

  public ObjectNode kwargs() {
    return kwargs;
  }

  /** Publish time in epoch seconds, or NaN when the message had none. */
  public double timePub() {
    return timePub;
  }

  /** Seconds the task may run; 0 for no timeout. */
  public double timeoutSeconds() {
    return timeoutSeconds;
  }

  public double delaySeconds() {
    return delaySeconds;
  }

  public OnDuplicate onDuplicate() {
    return onDuplicate;
  }

  /** The channel it arrived on; null for tasks the daemon made itself (schedules, on-start). */
  public String channel() {
    return channel;
  }

  /**
   * Reads the known keys of a message the daemon made itself (from its config), checking their
   * types; see {@link #from(ObjectNode, String, String, MessageLimits)}.
   */
  public static TaskMessage from(ObjectNode message, String channel, String fallbackUuid) {
    return from(message, channel, fallbackUuid, MessageLimits.TRUSTED);
  }

  /**
   * Reads the known keys of a message object, checking their types and that its delay and
   * timeout are within the limits.
   *
   * @param fallbackUuid used when the message has no uuid
   * @throws BadMessageException naming the key and the value that is wrong
   */
  public static TaskMessage from(ObjectNode message, String channel, String fallbackUuid, MessageLimits limits) {
    JsonNode task = message.get(WireFormat.TASK);
    if (task == null || !task.isTextual() || task.asText().isBlank()) {
      throw new BadMessageException("'task' must be a non-empty string, found " + shortText(task));
    }
    JsonNode uuidNode = message.get(WireFormat.UUID);
    String uuid;
    if (uuidNode == null || uuidNode.isNull()) {
      uuid = fallbackUuid;
      message.put(WireFormat.UUID, uuid);
    } else if (uuidNode.isTextual() && !uuidNode.asText().isBlank()) {
      uuid = uuidNode.asText();
    } else {
      throw new BadMessageException("'uuid' must be a non-empty string, found " + shortText(uuidNode));
    }
    ArrayNode args = arrayOrEmpty(message, WireFormat.ARGS);
    ObjectNode kwargs = objectOrEmpty(message, WireFormat.KWARGS);
    double timePub = number(message, WireFormat.TIME_PUB, Double.NaN);
    double timeout = bounded(message, WireFormat.TIMEOUT, limits.maxTimeoutSeconds());
    double delay = bounded(message, WireFormat.DELAY, limits.maxDelaySeconds());
    OnDuplicate onDuplicate = OnDuplicate.PARALLEL;
    JsonNode policy = message.get(WireFormat.ON_DUPLICATE);
    if (policy != null && !policy.isNull()) {
      try {
        onDuplicate = OnDuplicate.fromWire(policy.asText());
      } catch (IllegalArgumentException e) {
        throw new BadMessageException(e.getMessage());
      }
    }
    if (channel != null) {
      message.put(WireFormat.CHANNEL, channel);
    }
    boolean followUps = message.hasNonNull(WireFormat.CALLBACKS) || message.hasNonNull(WireFormat.ERRBACKS);
    return new TaskMessage(message, null, uuid, task.asText(), args, kwargs, timePub, timeout, delay, onDuplicate, channel, followUps,
        policy != null && !policy.isNull(), MessageSize.of(message));
  }

  private static ArrayNode arrayOrEmpty(ObjectNode message, String key) {
    JsonNode value = message.get(key);
    if (value == null || value.isNull()) {
      return JsonNodeFactory.instance.arrayNode();
    }
    if (!value.isArray()) {
      throw new BadMessageException("'" + key + "' must be an array, found " + shortText(value));
    }
    return (ArrayNode) value;
  }

  private static ObjectNode objectOrEmpty(ObjectNode message, String key) {
    JsonNode value = message.get(key);
    if (value == null || value.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!value.isObject()) {
      throw new BadMessageException("'" + key + "' must be an object, found " + shortText(value));
    }
    return (ObjectNode) value;
  }

  private static double number(ObjectNode message, String key, double fallback) {
    JsonNode value = message.get(key);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isNumber()) {
      throw new BadMessageException("'" + key + "' must be a number, found " + shortText(value));
    }
    return value.asDouble();
  }

  private static double bounded(ObjectNode message, String key, double maxSeconds) {
    double value = number(message, key, 0);
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new BadMessageException("'" + key + "' must be a finite number >= 0, found " + value);
    }
    if (value > maxSeconds) {
      throw new BadMessageException("'" + key + "' of " + value + " s exceeds limits.max_" + key + " (" + maxSeconds + " s)");
    }
    return value;
  }

  /** A value for an error message, cut short so a huge payload does not flood the log. */
  static String shortText(JsonNode value) {
    if (value == null) {
      return "nothing";
    }
    String text = value.toString();
    return text.length() > 120 ? text.substring(0, 117) + "..." : text;
  }
}
