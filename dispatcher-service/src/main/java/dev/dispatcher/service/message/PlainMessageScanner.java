package dev.dispatcher.service.message;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.WireFormat;
import java.io.IOException;
import java.util.Arrays;

/**
 * The dispatch thread's fast path for notification text: one pass over the characters, building
 * {@code args} and {@code kwargs} as the Jackson path of {@link TaskMessageReader} would and
 * counting their {@link MessageSize} on the way. Jackson's streaming parser, its symbol table and
 * the walk over the finished trees were most of the dispatch thread's time.
 *
 * <p>It answers only when sure: for a plain, valid task message it gives the fields the Jackson
 * path would give, for anything else null, and the caller reads the text with Jackson, which
 * gives the message or says what is wrong. So it defers on everything Jackson would refuse or
 * might read differently: text that is not strict JSON (comments, single quotes, trailing commas,
 * non-JSON whitespace, leading zeros, {@code +1}, {@code .5}, {@code NaN}, control characters in
 * strings, bad escapes, trailing text), a {@code control} or chunk key, a repeated known key, a
 * known key with a value of the wrong type or out of its limits, a blank task or uuid, an unknown
 * on_duplicate, integers of 19 digits or more (Jackson reads some as BigInteger), nesting deeper
 * than {@link #MAX_DEPTH}, and strings and numbers longer than Jackson's smallest default limits
 * allow. Escapes are decoded as Jackson does ({@code \\uXXXX} one UTF-16 unit at a time; unpaired
 * surrogates kept in values, refused in keys). It never throws and never recurses deeper than
 * {@link #MAX_DEPTH}.
 *
 * <p>Thread-safe: each scan has its own {@link Cursor}.
 */
final class PlainMessageScanner {

  /** Containers nested deeper than this (the message itself is 1) are left to Jackson, which allows 1000. */
  static final int MAX_DEPTH = 32;
  /** Longest string or key scanned, in characters as written: Jackson refuses keys of more than 50,000. */
  static final int MAX_TEXT_CHARS = 50_000;
  /** Longest number scanned: Jackson refuses numbers of more than 1,000 characters. */
  static final int MAX_NUMBER_CHARS = 64;
  /** 18 digits always fit in a long; Jackson reads 19 and more as long or BigInteger by value. */
  private static final int MAX_INTEGER_DIGITS = 18;
  /** Integers up to 2^53 are exact as doubles. */
  private static final long MAX_EXACT_MANTISSA = 1L << 53;
  /** Powers of ten up to 10^22 are exact as doubles. */
  private static final double[] EXACT_POWERS_OF_TEN = {
      1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
      1e22};
  private static final OnDuplicate[] POLICIES = OnDuplicate.values();
  /** Their wire names, made once: wireName() makes a new string each time. */
  private static final String[] POLICY_NAMES = Arrays.stream(POLICIES).map(OnDuplicate::wireName).toArray(String[]::new);

  /** The top-level keys the rules name, in the order of the constants below. */
  private static final String[] KEYS = {
      WireFormat.TASK, WireFormat.UUID, WireFormat.ARGS, WireFormat.KWARGS, WireFormat.TIME_PUB, WireFormat.TIMEOUT,
      WireFormat.DELAY, WireFormat.ON_DUPLICATE, WireFormat.CALLBACKS, WireFormat.ERRBACKS, WireFormat.CONTROL,
      WireFormat.DOORBELL, Chunker.MARKER_KEY};
  private static final char[][] KEY_CHARS = Arrays.stream(KEYS).map(String::toCharArray).toArray(char[][]::new);
  private static final char[] TRUE = "true".toCharArray();
  private static final char[] FALSE = "false".toCharArray();
  private static final char[] NULL = "null".toCharArray();
  private static final int TASK = 0;
  private static final int UUID = 1;
  private static final int ARGS = 2;
  private static final int KWARGS = 3;
  private static final int TIME_PUB = 4;
  private static final int TIMEOUT = 5;
  private static final int DELAY = 6;
  private static final int ON_DUPLICATE = 7;
  private static final int CALLBACKS = 8;
  private static final int ERRBACKS = 9;
  /** {@link Cursor#key()}: a key the rules do not name. */
  private static final int UNKNOWN = -1;
  /** {@link Cursor#key()}: no valid key at the cursor. */
  private static final int NOT_A_KEY = -2;

  private final JsonNodeFactory nodes;
  private final MessageLimits limits;

  /** @param nodes the mapper's node factory, which the Jackson path builds its trees with */
  PlainMessageScanner(JsonNodeFactory nodes, MessageLimits limits) {
    this.nodes = nodes;
    this.limits = limits;
  }

  /**
   * Whether Jackson, configured as this mapper is, reads strict JSON the way the scanner does:
   * ints as IntNode or LongNode, floats as DoubleNode, nulls kept, the last of duplicate keys
   * kept, and limits no lower than the scanner's. {@link WireFormat#newObjectMapper()} does.
   */
  static boolean agreesWith(ObjectMapper mapper) {
    DeserializationConfig config = mapper.getDeserializationConfig();
    if (mapper.getNodeFactory().getClass() != JsonNodeFactory.class
        || config.isEnabled(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
        || config.isEnabled(DeserializationFeature.USE_LONG_FOR_INTS)
        || config.isEnabled(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        || Boolean.TRUE.equals(config.getDatatypeFeatures().getExplicitState(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS))
        || config.isEnabled(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        || !config.isEnabled(JsonNodeFeature.READ_NULL_PROPERTIES)) {
      return false;
    }
    try (JsonParser parser = mapper.createParser("{}")) {
      StreamReadConstraints constraints = parser.streamReadConstraints();
      return !parser.isEnabled(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          && constraints.getMaxNestingDepth() >= MAX_DEPTH
          && constraints.getMaxNameLength() >= MAX_TEXT_CHARS
          && constraints.getMaxStringLength() >= MAX_TEXT_CHARS
          && constraints.getMaxNumberLength() >= MAX_NUMBER_CHARS
          && constraints.getMaxDocumentLength() <= 0
          && constraints.getMaxTokenCount() <= 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The known keys of a plain task message, with {@link TaskMessageReader.Fields#argumentBytes}
   * counted; null when the Jackson path must decide.
   */
  TaskMessageReader.Fields scan(String payload) {
    return payload == null ? null : new Cursor(payload).message();
  }

  /** One scan's position in the text, and what it has counted so far. */
  private final class Cursor {

    private final String payload;
    /** The payload's characters, copied once: indexing an array is much cheaper than String.charAt. */
    private final char[] text;
    private final int end;
    private int pos;
    /** MessageSize.tree of the argument trees built so far. */
    private long bytes;
    /** Known keys seen, a bit each: each may come once. */
    private int seen;
    /** The last number scanned: integral ones in {@link #integer}, the others in {@link #real}. */
    private boolean integral;
    private long integer;
    private double real;

    Cursor(String payload) {
      this.payload = payload;
      this.text = payload.toCharArray();
      this.end = this.text.length;
    }

    TaskMessageReader.Fields message() {
      skipWhitespace();
      if (!consume('{')) {
        return null;
      }
      TaskMessageReader.Fields fields = new TaskMessageReader.Fields();
      skipWhitespace();
      if (peek() != '}') {
        do {
          skipWhitespace();
          int key = key();
          skipWhitespace();
          if (key == NOT_A_KEY || !consume(':')) {
            return null;
          }
          skipWhitespace();
          if (!field(key, fields)) {
            return null;
          }
          skipWhitespace();
        } while (consume(','));
      }
      if (!consume('}')) {
        return null;
      }
      skipWhitespace();
      if (pos != end || fields.task == null) {
        return null;
      }
      fields.argumentBytes = bytes;
      return fields;
    }

    /** The top-level key at the cursor (on '"') as an index into {@link #KEYS}, {@link #UNKNOWN} or {@link #NOT_A_KEY}. */
    private int key() {
      int start = pos + 1;
      int stop = peek() == '"' ? plainEnd(start) : -1;
      if (stop < 0) {
        return NOT_A_KEY;
      }
      if (text[stop] == '"') {
        pos = stop + 1;
        return known(start, stop - start); // in place: no String for the key
      }
      pos = stop;
      String decoded = escaped(start, true);
      return decoded == null ? NOT_A_KEY : known(decoded);
    }

    private int known(int start, int length) {
      for (int key = 0; key < KEY_CHARS.length; key++) {
        if (KEY_CHARS[key].length == length && at(start, KEY_CHARS[key])) {
          return key;
        }
      }
      return UNKNOWN;
    }

    private static int known(String decoded) {
      for (int key = 0; key < KEYS.length; key++) {
        if (KEYS[key].equals(decoded)) {
          return key;
        }
      }
      return UNKNOWN;
    }

    /** One top-level value, by the rules of TaskMessageReader.readFields; false to defer. */
    private boolean field(int key, TaskMessageReader.Fields fields) {
      if (key == UNKNOWN) {
        return skipValue(); // unknown keys stay in the raw message, but must be valid JSON
      }
      if ((seen & 1 << key) != 0) {
        return false;
      }
      seen |= 1 << key;
      switch (key) {
        case TASK -> {
          fields.task = nonBlankString();
          return fields.task != null;
        }
        case UUID -> {
          if (nullLiteral()) {
            return true;
          }
          fields.uuid = nonBlankString();
          return fields.uuid != null;
        }
        case ARGS -> {
          if (nullLiteral()) {
            return true;
          }
          fields.args = peek() == '[' ? array(2) : null;
          return fields.args != null;
        }
        case KWARGS -> {
          if (nullLiteral()) {
            return true;
          }
          fields.kwargs = peek() == '{' ? object(2) : null;
          return fields.kwargs != null;
        }
        case TIME_PUB -> {
          if (nullLiteral()) {
            return true;
          }
          fields.timePub = number() ? numberValue() : Double.NaN;
          return !Double.isNaN(fields.timePub); // no JSON number reads as NaN
        }
        case TIMEOUT -> {
          fields.timeout = bounded(limits.maxTimeoutSeconds());
          return !Double.isNaN(fields.timeout);
        }
        case DELAY -> {
          fields.delay = bounded(limits.maxDelaySeconds());
          return !Double.isNaN(fields.delay);
        }
        case ON_DUPLICATE -> {
          if (nullLiteral()) {
            return true;
          }
          OnDuplicate policy = policy(string(false));
          if (policy == null) {
            return false;
          }
          fields.onDuplicate = policy;
          fields.onDuplicateGiven = true;
          return true;
        }
        case CALLBACKS, ERRBACKS -> {
          fields.followUps |= peek() != 'n';
          return skipValue(); // read from the raw tree when the task is done
        }
        default -> {
          return false; // control, doorbell and chunk keys: the Jackson path hands these back to the caller
        }
      }
    }

    private String nonBlankString() {
      String string = string(false);
      return string == null || string.isBlank() ? null : string;
    }

    /** {@link OnDuplicate#fromWire} without its exception: null for a name it refuses. */
    private static OnDuplicate policy(String name) {
      for (int i = 0; i < POLICIES.length; i++) {
        if (POLICY_NAMES[i].equals(name)) {
          return POLICIES[i];
        }
      }
      return null;
    }

    /** A timeout or delay: 0 for null, NaN to defer (not a number, negative, infinite or over the limit). */
    private double bounded(double maxSeconds) {
      if (nullLiteral()) {
        return 0;
      }
      if (!number()) {
        return Double.NaN;
      }
      double seconds = numberValue();
      return seconds >= 0 && !Double.isInfinite(seconds) && seconds <= maxSeconds ? seconds : Double.NaN;
    }

    /** A value that is checked but not kept: what it added to the count is taken back. */
    private boolean skipValue() {
      long before = bytes;
      boolean valid = value(1) != null;
      bytes = before;
      return valid;
    }

    /** The value at the cursor inside a container at {@code depth}, counted; null to defer. */
    private JsonNode value(int depth) {
      switch (peek()) {
        case '"' -> {
          String string = string(false);
          if (string == null) {
            return null;
          }
          bytes += MessageSize.NODE_BYTES + 2L * string.length();
          return nodes.textNode(string);
        }
        case '[' -> {
          return array(depth + 1);
        }
        case '{' -> {
          return object(depth + 1);
        }
        case 't' -> {
          return literal(TRUE) ? counted(nodes.booleanNode(true)) : null;
        }
        case 'f' -> {
          return literal(FALSE) ? counted(nodes.booleanNode(false)) : null;
        }
        case 'n' -> {
          return nullLiteral() ? counted(nodes.nullNode()) : null;
        }
        default -> {
          if (!number()) {
            return null;
          }
          if (!integral) {
            return counted(nodes.numberNode(real));
          }
          // Jackson's rule: an int when the value fits, else a long
          return counted(integer == (int) integer ? nodes.numberNode((int) integer) : nodes.numberNode(integer));
        }
      }
    }

    private JsonNode counted(JsonNode scalar) {
      bytes += MessageSize.NODE_BYTES;
      return scalar;
    }

    /** The array at the cursor (on '['), at {@code depth}; null to defer. */
    private ArrayNode array(int depth) {
      if (depth > MAX_DEPTH) {
        return null;
      }
      pos++;
      ArrayNode array = nodes.arrayNode();
      bytes += MessageSize.NODE_BYTES;
      skipWhitespace();
      if (consume(']')) {
        return array;
      }
      do {
        skipWhitespace();
        JsonNode element = value(depth);
        if (element == null) {
          return null;
        }
        array.add(element);
        skipWhitespace();
      } while (consume(','));
      return consume(']') ? array : null;
    }

    /** The object at the cursor (on '{'), at {@code depth}; null to defer. */
    private ObjectNode object(int depth) {
      if (depth > MAX_DEPTH) {
        return null;
      }
      pos++;
      ObjectNode object = nodes.objectNode();
      bytes += MessageSize.NODE_BYTES;
      skipWhitespace();
      if (consume('}')) {
        return object;
      }
      do {
        skipWhitespace();
        String key = string(true);
        if (key == null) {
          return null;
        }
        skipWhitespace();
        if (!consume(':')) {
          return null;
        }
        skipWhitespace();
        JsonNode value = value(depth);
        if (value == null) {
          return null;
        }
        long entryBytes = MessageSize.NODE_BYTES + 2L * key.length();
        bytes += entryBytes;
        JsonNode replaced = object.replace(key, value); // the last of duplicate keys wins, as in Jackson
        if (replaced != null) {
          bytes -= entryBytes + MessageSize.tree(replaced);
        }
        skipWhitespace();
      } while (consume(','));
      return consume('}') ? object : null;
    }

    /** The string at the cursor (on '"'), decoded; null to defer. A key is a {@code name}. */
    private String string(boolean name) {
      int start = pos + 1;
      int stop = peek() == '"' ? plainEnd(start) : -1;
      if (stop < 0) {
        return null;
      }
      if (text[stop] == '"') {
        pos = stop + 1;
        return payload.substring(start, stop);
      }
      pos = stop;
      return escaped(start, name);
    }

    /**
     * Where the plain text of a string from {@code start} stops: at its closing quote or its first
     * backslash; -1 at a control character, the end of the text or {@link #MAX_TEXT_CHARS}.
     */
    private int plainEnd(int start) {
      for (int i = start, limit = Math.min(end, start + MAX_TEXT_CHARS); i < limit; i++) {
        char c = text[i];
        if (c == '"' || c == '\\') {
          return i;
        }
        if (c < 0x20) {
          return -1;
        }
      }
      return -1;
    }

    /**
     * The string whose text begins at {@code start}, decoded from the backslash at the cursor on
     * (the text before it is plain); null to defer. Leaves the cursor after the closing quote. In
     * a key ({@code name}) Jackson takes an escaped surrogate only as the first half of an escaped
     * pair; in a value it takes any.
     */
    private String escaped(int start, boolean name) {
      StringBuilder decoded = new StringBuilder(pos - start + 16).append(text, start, pos - start);
      for (int limit = Math.min(end, start + MAX_TEXT_CHARS); pos < limit; ) {
        char c = text[pos++];
        if (c == '"') {
          return decoded.toString();
        }
        if (c < 0x20) {
          return null;
        }
        if (c != '\\') {
          decoded.append(c);
        } else if (pos < limit) {
          switch (text[pos++]) {
            case '"' -> decoded.append('"');
            case '\\' -> decoded.append('\\');
            case '/' -> decoded.append('/');
            case 'b' -> decoded.append('\b');
            case 'f' -> decoded.append('\f');
            case 'n' -> decoded.append('\n');
            case 'r' -> decoded.append('\r');
            case 't' -> decoded.append('\t');
            case 'u' -> {
              int unit = hex4(limit);
              if (unit < 0) {
                return null;
              }
              decoded.append((char) unit);
              if (name && Character.isSurrogate((char) unit)) {
                int low = Character.isHighSurrogate((char) unit) && consume('\\') && consume('u') ? hex4(limit) : -1;
                if (low < 0 || !Character.isLowSurrogate((char) low)) {
                  return null;
                }
                decoded.append((char) low);
              }
            }
            default -> {
              return null;
            }
          }
        }
      }
      return null;
    }

    /** Four hex digits at the cursor as one UTF-16 unit, or -1. */
    private int hex4(int limit) {
      if (pos + 4 > limit) {
        return -1;
      }
      int unit = 0;
      for (int i = 0; i < 4; i++) {
        char c = text[pos++];
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0) {
          return -1;
        }
        unit = unit << 4 | digit;
      }
      return unit;
    }

    /**
     * A number in JSON's grammar at the cursor, into {@link #integer} (at most 18 digits) or
     * {@link #real}; false to defer. One pass: digits are summed as they are checked.
     */
    private boolean number() {
      int start = pos;
      boolean negative = consume('-');
      int first = peek();
      if (first < '0' || first > '9') {
        return false;
      }
      long mantissa = 0; // wraps beyond 18 digits, and is then not used
      int integerDigits = 0;
      if (first == '0') {
        pos++;
        integerDigits = 1;
      } else {
        for (int digit = digitAt(pos); digit >= 0; digit = digitAt(++pos)) {
          mantissa = mantissa * 10 + digit;
          integerDigits++;
        }
      }
      int fractionDigits = 0;
      if (consume('.')) {
        for (int digit = digitAt(pos); digit >= 0; digit = digitAt(++pos)) {
          mantissa = mantissa * 10 + digit;
          fractionDigits++;
        }
        if (fractionDigits == 0) {
          return false;
        }
      }
      boolean hasExponent = peek() == 'e' || peek() == 'E';
      int exponent = 0;
      int exponentDigits = 0;
      if (hasExponent) {
        pos++;
        boolean negativeExponent = peek() == '-';
        if (negativeExponent || peek() == '+') {
          pos++;
        }
        for (int digit = digitAt(pos); digit >= 0; digit = digitAt(++pos)) {
          exponent = exponent * 10 + digit;
          exponentDigits++;
        }
        if (exponentDigits == 0) {
          return false;
        }
        exponent = negativeExponent ? -exponent : exponent;
      }
      if (pos - start > MAX_NUMBER_CHARS) {
        return false;
      }
      integral = fractionDigits == 0 && !hasExponent;
      if (integral) {
        integer = negative ? -mantissa : mantissa;
        return integerDigits <= MAX_INTEGER_DIGITS;
      }
      int scale = exponentDigits <= 3 ? exponent - fractionDigits : Integer.MAX_VALUE; // MAX_VALUE: no fast path
      real = real(start, negative, mantissa, integerDigits + fractionDigits, scale);
      return true;
    }

    /**
     * A number with a fraction or an exponent, as Double.parseDouble reads it (correctly rounded,
     * as is Jackson's parser). A mantissa of at most 2^53 times or over at most 10^22 is one exact
     * multiplication or division, itself correctly rounded; the rest goes to Double.parseDouble.
     */
    private double real(int start, boolean negative, long mantissa, int digits, int exponent) {
      if (digits <= MAX_INTEGER_DIGITS && mantissa <= MAX_EXACT_MANTISSA && exponent >= -22 && exponent <= 22) {
        double magnitude = exponent < 0 ? mantissa / EXACT_POWERS_OF_TEN[-exponent] : mantissa * EXACT_POWERS_OF_TEN[exponent];
        return negative ? -magnitude : magnitude;
      }
      return Double.parseDouble(payload.substring(start, pos));
    }

    /** The last number scanned, as Jackson's getDoubleValue gives it. */
    private double numberValue() {
      return integral ? integer : real;
    }

    /** The decimal digit at {@code index}, or -1. */
    private int digitAt(int index) {
      int digit = index < end ? text[index] - '0' : -1;
      return digit >= 0 && digit <= 9 ? digit : -1;
    }

    private boolean nullLiteral() {
      return literal(NULL);
    }

    private boolean literal(char[] word) {
      if (!at(pos, word)) {
        return false;
      }
      pos += word.length;
      return true;
    }

    /** Whether the text at {@code start} begins with {@code word}. */
    private boolean at(int start, char[] word) {
      if (end - start < word.length) {
        return false;
      }
      for (int i = 0; i < word.length; i++) {
        if (text[start + i] != word[i]) {
          return false;
        }
      }
      return true;
    }

    /** JSON's four whitespace characters only: Jackson refuses any other. */
    private void skipWhitespace() {
      while (pos < end) {
        char c = text[pos];
        if (c > ' ' || c != ' ' && c != '\n' && c != '\r' && c != '\t') {
          return;
        }
        pos++;
      }
    }

    private boolean consume(char c) {
      if (pos < end && text[pos] == c) {
        pos++;
        return true;
      }
      return false;
    }

    private int peek() {
      return pos < end ? text[pos] : -1;
    }
  }
}
