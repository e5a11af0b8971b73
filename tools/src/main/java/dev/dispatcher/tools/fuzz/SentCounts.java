package dev.dispatcher.tools.fuzz;

import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/** How many messages and NOTIFY payloads of each kind were sent. Not thread-safe. */
public final class SentCounts {

  private final EnumMap<Kind, long[]> counts = new EnumMap<>(Kind.class);

  public void add(FuzzMessage message) {
    long[] count = counts.computeIfAbsent(message.kind(), kind -> new long[2]);
    count[0]++;
    count[1] += message.payloads().size();
  }

  public long messages(Kind kind) {
    return counts.getOrDefault(kind, new long[2])[0];
  }

  public long messages() {
    return counts.values().stream().mapToLong(count -> count[0]).sum();
  }

  public long notifications() {
    return counts.values().stream().mapToLong(count -> count[1]).sum();
  }

  /** {@code kind messages (notifications)}, one per line, indented, in the order of {@link Kind}. */
  public String table() {
    return counts.entrySet().stream()
        .map(entry -> String.format(java.util.Locale.ROOT, "    %-24s %,10d  (%,d notifications)", entry.getKey().label(),
            entry.getValue()[0], entry.getValue()[1]))
        .collect(Collectors.joining("\n"));
  }

  public Map<Kind, Long> byKind() {
    EnumMap<Kind, Long> messages = new EnumMap<>(Kind.class);
    counts.forEach((kind, count) -> messages.put(kind, count[0]));
    return messages;
  }
}
