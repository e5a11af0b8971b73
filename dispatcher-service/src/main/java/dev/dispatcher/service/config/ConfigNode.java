package dev.dispatcher.service.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML mapping read strictly: every read names its dotted path, so each error says which key
 * is wrong, and {@link #rejectUnknownKeys()} refuses keys nobody read (usually typos).
 */
final class ConfigNode {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

  private final String path;
  private final Map<String, Object> values;
  private final Set<String> read = new TreeSet<>();

  ConfigNode(String path, Map<String, Object> values) {
    this.path = path;
    this.values = values;
  }

  static ConfigNode root(Object document) {
    if (document == null) {
      return new ConfigNode("", Map.of());
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new ConfigException("(document)", "expected a mapping of keys, found " + describe(document));
    }
    return new ConfigNode("", stringKeys("(document)", map));
  }

  String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  boolean has(String name) {
    return values.get(name) != null;
  }

  ConfigNode child(String name) {
    read.add(name);
    Object value = values.get(name);
    if (value == null) {
      return new ConfigNode(key(name), Map.of());
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new ConfigException(key(name), "expected a mapping, found " + describe(value));
    }
    return new ConfigNode(key(name), stringKeys(key(name), map));
  }

  /** The child mappings of a mapping keyed by name (e.g. schedules). */
  Map<String, ConfigNode> children(String name) {
    ConfigNode parent = child(name);
    Map<String, ConfigNode> result = new LinkedHashMap<>();
    for (String childName : parent.values.keySet()) {
      result.put(childName, parent.child(childName));
    }
    return result;
  }

  /** A list of mappings (e.g. on_start). */
  List<ConfigNode> nodeList(String name) {
    List<ConfigNode> result = new ArrayList<>();
    List<Object> items = list(name);
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      String itemKey = key(name) + "[" + i + "]";
      if (!(item instanceof Map<?, ?> map)) {
        throw new ConfigException(itemKey, "expected a mapping, found " + describe(item));
      }
      result.add(new ConfigNode(itemKey, stringKeys(itemKey, map)));
    }
    return result;
  }

  String string(String name, String fallback) {
    read.add(name);
    Object value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String || value instanceof Number)) {
      throw new ConfigException(key(name), "expected a string, found " + describe(value));
    }
    String text = value.toString().trim();
    if (text.isEmpty()) {
      throw new ConfigException(key(name), "must not be empty");
    }
    return text;
  }

  String requiredString(String name) {
    String value = string(name, null);
    if (value == null) {
      throw new ConfigException(key(name), "is required");
    }
    return value;
  }

  int integer(String name, int fallback, int min, int max) {
    read.add(name);
    Object value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer number)) {
      throw new ConfigException(key(name), "expected a whole number, found " + describe(value));
    }
    if (number < min || number > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", was " + number);
    }
    return number;
  }

  boolean bool(String name, boolean fallback) {
    read.add(name);
    Object value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean flag)) {
      throw new ConfigException(key(name), "expected true or false, found " + describe(value));
    }
    return flag;
  }

  /** A duration: a number of seconds, or a string such as {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}. */
  Duration duration(String name, Duration fallback) {
    read.add(name);
    Object value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number number) {
      return positive(name, Duration.ofNanos((long) (number.doubleValue() * 1e9)), value);
    }
    if (value instanceof String text) {
      Matcher m = DURATION.matcher(text.trim());
      if (m.matches()) {
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanosPerUnit = switch (unit) {
          case "ms" -> 1e6;
          case "m" -> 60e9;
          case "h" -> 3600e9;
          case "d" -> 86400e9;
          default -> 1e9;
        };
        return positive(name, Duration.ofNanos((long) (amount * nanosPerUnit)), value);
      }
    }
    throw new ConfigException(key(name), "expected a duration such as 30, 500ms, 10s, 2m, 1h or 7d, found " + describe(value));
  }

  private Duration positive(String name, Duration duration, Object raw) {
    if (duration.isNegative()) {
      throw new ConfigException(key(name), "must not be negative, was " + raw);
    }
    return duration;
  }

  List<Object> list(String name) {
    read.add(name);
    Object value = values.get(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> items)) {
      throw new ConfigException(key(name), "expected a list, found " + describe(value));
    }
    return new ArrayList<>(items);
  }

  List<String> stringList(String name) {
    List<Object> items = list(name);
    List<String> result = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (!(item instanceof String text) || text.isBlank()) {
        throw new ConfigException(key(name) + "[" + i + "]", "expected a non-empty string, found " + describe(item));
      }
      result.add(text.trim());
    }
    return result;
  }

  Map<String, Object> map(String name) {
    read.add(name);
    Object value = values.get(name);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new ConfigException(key(name), "expected a mapping, found " + describe(value));
    }
    return stringKeys(key(name), map);
  }

  /** Call after reading every known key: any other key is a mistake worth stopping for. */
  void rejectUnknownKeys() {
    for (String name : values.keySet()) {
      if (!read.contains(name)) {
        throw new ConfigException(key(name), "unknown key (known here: " + String.join(", ", read) + ")");
      }
    }
  }

  /**
   * Refuses any key outside {@code known} before anything is read, so that a misspelt required
   * key is reported as unknown rather than as missing.
   */
  void rejectKeysOtherThan(Set<String> known) {
    for (String name : values.keySet()) {
      if (!known.contains(name)) {
        throw new ConfigException(key(name), "unknown key (known here: " + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
  }

  private static Map<String, Object> stringKeys(String where, Map<?, ?> map) {
    Map<String, Object> result = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String name)) {
        throw new ConfigException(where, "keys must be strings, found " + describe(entry.getKey()));
      }
      result.put(name, entry.getValue());
    }
    return result;
  }

  static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    String type = switch (value) {
      case Map<?, ?> m -> "a mapping";
      case List<?> l -> "a list";
      case String s -> "the string";
      case Boolean b -> "the boolean";
      case Number n -> "the number";
      default -> value.getClass().getSimpleName();
    };
    return value instanceof Map<?, ?> || value instanceof List<?> ? type : type + " '" + value + "'";
  }
}
