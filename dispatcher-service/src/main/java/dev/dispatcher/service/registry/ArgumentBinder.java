package dev.dispatcher.service.registry;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.log.UntrustedText;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Iterator;
import java.util.Map;

/**
 * Binds JSON {@code args} by position and {@code kwargs} by parameter name to one method's
 * parameters, converting each value to the parameter's declared (generic) type with Jackson.
 * Every parameter must receive exactly one value; extra or missing arguments are errors.
 */
final class ArgumentBinder {

  private record Slot(String name, JavaType type, ObjectReader reader, boolean namePresent) {}

  private final String taskName;
  private final Slot[] slots;
  private final int offset;

  /** @param offset parameters the daemon fills itself (1 for a bound task's context) */
  ArgumentBinder(String taskName, Method method, ObjectMapper mapper, int offset) {
    this.taskName = taskName;
    this.offset = offset;
    Parameter[] parameters = method.getParameters();
    this.slots = new Slot[parameters.length - offset];
    for (int i = offset; i < parameters.length; i++) {
      JavaType type = mapper.getTypeFactory().constructType(parameters[i].getParameterizedType());
      slots[i - offset] = new Slot(parameters[i].getName(), type, mapper.readerFor(type), parameters[i].isNamePresent());
    }
  }

  /** Returns the argument array for {@code Method.invoke}, with {@code offset} leading slots left null. */
  Object[] bind(ArrayNode args, ObjectNode kwargs) throws BindException {
    if (args.size() > slots.length) {
      throw new BindException("task " + taskName + " takes " + slots.length + " argument(s), got " + args.size() + " positional");
    }
    JsonNode[] values = new JsonNode[slots.length];
    for (int i = 0; i < args.size(); i++) {
      values[i] = args.get(i);
    }
    Iterator<Map.Entry<String, JsonNode>> named = kwargs.properties().iterator();
    while (named.hasNext()) {
      Map.Entry<String, JsonNode> entry = named.next();
      int index = indexOf(entry.getKey());
      if (index < 0) {
        throw new BindException("task " + taskName + " has no parameter named '" + entry.getKey() + "'"
            + (slots.length > 0 && !slots[0].namePresent() ? " (compile the task with -parameters to bind kwargs)" : ""));
      }
      if (values[index] != null) {
        throw new BindException("task " + taskName + " got parameter '" + entry.getKey() + "' both by position and by name");
      }
      values[index] = entry.getValue();
    }
    Object[] bound = new Object[offset + slots.length];
    for (int i = 0; i < slots.length; i++) {
      Slot slot = slots[i];
      if (values[i] == null) {
        throw new BindException("task " + taskName + " is missing argument '" + slot.name() + "' (" + slot.type().toCanonical() + ")");
      }
      try {
        Object direct = direct(slot.type().getRawClass(), values[i]);
        bound[offset + i] = direct != null ? direct : slot.reader().readValue(values[i]);
      } catch (Exception e) {
        throw new BindException("task " + taskName + " argument '" + slot.name() + "' expects " + simpleType(slot.type())
            + ", got " + shortText(values[i]) + ": " + firstLine(e.getMessage()));
      }
      if (bound[offset + i] == null && slot.type().isPrimitive()) {
        throw new BindException("task " + taskName + " argument '" + slot.name() + "' is a " + slot.type().toCanonical() + " and cannot be null");
      }
    }
    return bound;
  }

  /**
   * The common scalar cases without a Jackson reader (which costs a parser and a context per
   * value). Returns null to let Jackson decide, including every case Jackson would reject, so the
   * strict rules and their messages stay Jackson's.
   */
  private static Object direct(Class<?> type, JsonNode value) {
    if ((type == long.class || type == Long.class) && value.isIntegralNumber() && value.canConvertToLong()) {
      return value.longValue();
    }
    if ((type == int.class || type == Integer.class) && value.isIntegralNumber() && value.canConvertToInt()) {
      return value.intValue();
    }
    if ((type == double.class || type == Double.class) && value.isNumber()) {
      return value.doubleValue();
    }
    if ((type == boolean.class || type == Boolean.class) && value.isBoolean()) {
      return value.booleanValue();
    }
    if ((type == String.class || type == CharSequence.class) && value.isTextual()) {
      return value.textValue();
    }
    return null;
  }

  private int indexOf(String name) {
    for (int i = 0; i < slots.length; i++) {
      if (slots[i].name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static String simpleType(JavaType type) {
    return type.toCanonical().replace("java.lang.", "").replace("java.util.", "");
  }

  private static String shortText(JsonNode value) {
    return UntrustedText.of(value.toString(), 80);
  }

  /** Jackson's message quotes the value: its first line, cut like any text from the wire. */
  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return UntrustedText.of(newline < 0 ? message : message.substring(0, newline));
  }
}
