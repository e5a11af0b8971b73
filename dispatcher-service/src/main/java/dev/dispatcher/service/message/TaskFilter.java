package dev.dispatcher.service.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dispatcher.wire.WireFormat;
import java.util.Comparator;

/**
 * Which task messages a {@code running} or {@code cancel} command means: those whose {@code task},
 * {@code args}, {@code kwargs} and {@code uuid} equal every one of these that is given, as the
 * Python dispatcher matches them. A key that is absent, null or empty (Python's falsy: {@code ""},
 * {@code []}, {@code {}}, {@code 0}, {@code false}) is not a condition. Values compare as JSON, with
 * numbers equal by value ({@code 1} equals {@code 1.0}, as in Python).
 */
public final class TaskFilter {

  /** Numbers by value, everything else as Jackson compares it. */
  private static final Comparator<JsonNode> JSON_VALUES = (left, right) ->
      left.isNumber() && right.isNumber() ? compareNumbers(left, right) : left.equals(right) ? 0 : 1;

  private final JsonNode task;
  private final JsonNode args;
  private final JsonNode kwargs;
  private final JsonNode uuid;

  private TaskFilter(JsonNode task, JsonNode args, JsonNode kwargs, JsonNode uuid) {
    this.task = condition(task);
    this.args = condition(args);
    this.kwargs = condition(kwargs);
    this.uuid = condition(uuid);
  }

  /** The filter in a command's {@code control_data} (null or a non-object: no condition). */
  public static TaskFilter of(JsonNode controlData) {
    if (controlData == null || !controlData.isObject()) {
      return new TaskFilter(null, null, null, null);
    }
    return new TaskFilter(controlData.get(WireFormat.TASK), controlData.get(WireFormat.ARGS), controlData.get(WireFormat.KWARGS),
        controlData.get(WireFormat.UUID));
  }

  /** A filter on uuid and task name only (null: no condition), as a bound task's {@code context.cancel} gives it. */
  public static TaskFilter byUuidAndTask(String uuid, String taskName) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    return new TaskFilter(taskName == null ? null : nodes.textNode(taskName), null, null, uuid == null ? null : nodes.textNode(uuid));
  }

  /** The uuid condition, or null when there is none (or it is not a string: then nothing matches it). */
  public String uuidCondition() {
    return uuid != null && uuid.isTextual() ? uuid.textValue() : null;
  }

  /** The task name condition, or null when there is none (or it is not a string). */
  public String taskCondition() {
    return task != null && task.isTextual() ? task.textValue() : null;
  }

  /** True when the filter has conditions on args or kwargs. */
  public boolean hasArgumentConditions() {
    return args != null || kwargs != null;
  }

  /** True when a uuid or task condition is there but not a string: no message can match it. */
  public boolean hasImpossibleCondition() {
    return uuid != null && !uuid.isTextual() || task != null && !task.isTextual();
  }

  /** True when no key is a condition: the filter matches every message. */
  public boolean isEmpty() {
    return task == null && args == null && kwargs == null && uuid == null;
  }

  public boolean matches(TaskMessage message) {
    return (task == null || (task.isTextual() && task.textValue().equals(message.task())))
        && (uuid == null || (uuid.isTextual() && uuid.textValue().equals(message.uuid())))
        && (args == null || args.equals(JSON_VALUES, message.args()))
        && (kwargs == null || kwargs.equals(JSON_VALUES, message.kwargs()));
  }

  /** Null for a value that is no condition (Python's falsy ones). */
  private static JsonNode condition(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    boolean falsy = (value.isTextual() && value.textValue().isEmpty()) || (value.isContainerNode() && value.isEmpty())
        || (value.isNumber() && value.doubleValue() == 0) || (value.isBoolean() && !value.booleanValue());
    return falsy ? null : value;
  }

  private static int compareNumbers(JsonNode left, JsonNode right) {
    if (left.isIntegralNumber() && right.isIntegralNumber()) {
      return left.bigIntegerValue().compareTo(right.bigIntegerValue());
    }
    double a = left.doubleValue();
    double b = right.doubleValue();
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      return Double.compare(a, b);
    }
    return left.decimalValue().compareTo(right.decimalValue());
  }

  @Override
  public String toString() {
    return "task=" + task + " args=" + args + " kwargs=" + kwargs + " uuid=" + uuid;
  }
}
