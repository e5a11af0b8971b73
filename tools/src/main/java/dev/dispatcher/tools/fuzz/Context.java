package dev.dispatcher.tools.fuzz;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.random.RandomGenerator;

/** What the parts of the generator share: the seeded random source, the targets, the uuids sent so far. */
final class Context {

  static final String SUM2 = "dev.dispatcher.demo.DemoTasks.sum2";
  static final String HELLO = "dev.dispatcher.demo.DemoTasks.hello";
  static final String SLEEP = "dev.dispatcher.demo.DemoTasks.sleep";
  static final String INSERT_ROW = "dev.dispatcher.demo.DemoTasks.insert_row";
  /** How many of the latest valid uuids the cancels aim at. */
  private static final int RECENT = 16;

  final RandomGenerator random;
  final Targets targets;
  private final Clock clock;
  private final ArrayDeque<String> recentValid = new ArrayDeque<>(RECENT);
  private long hostileSequence;
  private long validSequence;

  Context(RandomGenerator random, Targets targets, Clock clock) {
    this.random = random;
    this.targets = targets;
    this.clock = clock;
  }

  /** The uuid of the next valid task: a name-based UUID of the run tag and a counter, so reruns repeat it. */
  String nextValidUuid() {
    String uuid = UUID.nameUUIDFromBytes((targets.runTag() + "/valid/" + validSequence++).getBytes(StandardCharsets.UTF_8)).toString();
    if (recentValid.size() == RECENT) {
      recentValid.removeFirst();
    }
    recentValid.addLast(uuid);
    return uuid;
  }

  /** A valid task's uuid to aim a cancel at (a made-up one before the first valid task). */
  String recentValidUuid() {
    if (recentValid.isEmpty()) {
      return UUID.nameUUIDFromBytes((targets.runTag() + "/valid/0").getBytes(StandardCharsets.UTF_8)).toString();
    }
    return recentValid.stream().skip(random.nextInt(recentValid.size())).findFirst().orElseThrow();
  }

  /** A fresh uuid for a hostile message: never one of a valid task. */
  String hostileUuid() {
    return "fz-" + targets.runTag() + "-" + hostileSequence++;
  }

  /** A fresh chunk message id with this prefix. */
  String messageId(String prefix) {
    return "fz" + prefix + "-" + targets.runTag() + "-" + hostileSequence++;
  }

  /** A reply channel of the clients' pattern, {@code reply_to_<32 hex>}. */
  String replyTo() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return "reply_to_" + HexFormat.of().formatHex(bytes);
  }

  /** time_pub as the publisher writes it: epoch seconds with microseconds. */
  String timePub() {
    Instant now = clock.instant();
    return now.getEpochSecond() + "." + String.format(java.util.Locale.ROOT, "%06d", now.getNano() / 1000);
  }

  /** One of the values, drawn. */
  @SafeVarargs
  final <T> T pick(T... values) {
    return values[random.nextInt(values.length)];
  }

  <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  /** Printable ASCII letters and digits. */
  String alphanumeric(int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}
