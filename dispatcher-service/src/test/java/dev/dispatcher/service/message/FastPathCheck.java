package dev.dispatcher.service.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * Holds the {@link PlainMessageScanner} to the Jackson path of {@link TaskMessageReader}, payload
 * by payload: what the scanner accepts must read exactly as Jackson reads it, and what Jackson
 * rejects the scanner must leave to it. Differences are found by hand rather than one assertion
 * each: some tests check a hundred thousand payloads and more.
 */
final class FastPathCheck {

  static final String CHANNEL = "tasks";
  /** The limits the tests use: at most a 1 h delay and a 2 h timeout. */
  static final MessageLimits LIMITS = MessageLimits.of(Duration.ofHours(1), Duration.ofHours(2));

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final TaskMessageReader reader = new TaskMessageReader(mapper, LIMITS);
  private final PlainMessageScanner scanner = new PlainMessageScanner(mapper.getNodeFactory(), LIMITS);
  private int accepted;
  private int deferred;
  private int rejectedByJackson;

  /**
   * Checks one payload; returns whether the fast path took it.
   *
   * @throws AssertionError when the fast path accepts what Jackson rejects, or reads differently
   */
  boolean check(String payload) {
    TaskMessageReader.Fields fast = scanner.scan(payload);
    TaskMessage expected;
    try {
      expected = reader.readWithJackson(payload, CHANNEL);
    } catch (BadMessageException | TaskMessageReader.NotATaskMessage e) {
      rejectedByJackson++;
      assertThat(fast).as("the fast path accepted what Jackson rejects (%s): %s", e.getMessage(), payload).isNull();
      return false;
    }
    if (fast == null) {
      deferred++;
      return false;
    }
    accepted++;
    TaskMessage actual = reader.read(payload, CHANNEL); // the scanner is deterministic: this is the fast path
    assertThat(difference(actual, expected, fast.uuid == null)).as("fast path against Jackson for %s", payload).isNull();
    return true;
  }

  /** How many checked payloads the fast path took. */
  int accepted() {
    return accepted;
  }

  /** How many checked payloads Jackson read but the fast path left to it. */
  int deferred() {
    return deferred;
  }

  /** How many checked payloads Jackson refused. */
  int rejectedByJackson() {
    return rejectedByJackson;
  }

  /** The first difference between the two messages, or null; generated uuids differ by their counter only. */
  private static String difference(TaskMessage actual, TaskMessage expected, boolean generatedUuid) {
    if (generatedUuid ? !actual.uuid().startsWith("internal-") || !expected.uuid().startsWith("internal-")
        : !actual.uuid().equals(expected.uuid())) {
      return "uuid " + actual.uuid() + " != " + expected.uuid();
    }
    if (!actual.task().equals(expected.task())) {
      return "task " + actual.task() + " != " + expected.task();
    }
    if (!Objects.equals(actual.channel(), expected.channel())) {
      return "channel";
    }
    if (!actual.options().equals(expected.options())) {
      return "options " + actual.options() + " != " + expected.options();
    }
    if (actual.memoryBytes() != expected.memoryBytes()) {
      return "memoryBytes " + actual.memoryBytes() + " != " + expected.memoryBytes();
    }
    String args = treeDifference("args", actual.args(), expected.args());
    if (args != null) {
      return args;
    }
    String kwargs = treeDifference("kwargs", actual.kwargs(), expected.kwargs());
    if (kwargs != null) {
      return kwargs;
    }
    ObjectNode actualRaw = actual.raw().deepCopy();
    ObjectNode expectedRaw = expected.raw().deepCopy();
    if (generatedUuid) {
      if (!actual.uuid().equals(actualRaw.path(WireFormat.UUID).asText())) {
        return "raw uuid of the fast path is not its message's";
      }
      actualRaw.put(WireFormat.UUID, "generated");
      expectedRaw.put(WireFormat.UUID, "generated");
    }
    return treeDifference("raw", actualRaw, expectedRaw);
  }

  /** Where two trees differ in value, node class or key order, or null. */
  static String treeDifference(String path, JsonNode actual, JsonNode expected) {
    if (actual.getClass() != expected.getClass()) {
      return path + ": " + actual.getClass().getSimpleName() + " " + actual + " != " + expected.getClass().getSimpleName() + " "
          + expected;
    }
    if (actual.isObject()) {
      if (actual.size() != expected.size()) {
        return path + ": " + actual.size() + " keys != " + expected.size();
      }
      Iterator<Map.Entry<String, JsonNode>> expectedFields = expected.properties().iterator();
      for (Map.Entry<String, JsonNode> field : actual.properties()) {
        Map.Entry<String, JsonNode> expectedField = expectedFields.next();
        if (!field.getKey().equals(expectedField.getKey())) {
          return path + ": key " + field.getKey() + " != " + expectedField.getKey();
        }
        String inside = treeDifference(path + "." + field.getKey(), field.getValue(), expectedField.getValue());
        if (inside != null) {
          return inside;
        }
      }
      return null;
    }
    if (actual.isArray()) {
      if (actual.size() != expected.size()) {
        return path + ": " + actual.size() + " elements != " + expected.size();
      }
      for (int i = 0; i < actual.size(); i++) {
        String inside = treeDifference(path + "[" + i + "]", actual.get(i), expected.get(i));
        if (inside != null) {
          return inside;
        }
      }
      return null;
    }
    return actual.equals(expected) ? null : path + ": " + actual + " != " + expected;
  }
}
