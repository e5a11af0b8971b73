package dev.dispatcher;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration written as the daemon's configuration writes one: a number of seconds ({@code 600},
 * {@code 1.5}) or a number with a unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}
 * ({@code 500ms}, {@code 10m}, {@code 1h}, {@code 7d}). For {@link Task#cacheFor()}, where an
 * annotation can hold no {@link java.time.Duration}.
 */
final class DurationText {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

  private DurationText() {}

  /**
   * The duration in seconds.
   *
   * @throws IllegalArgumentException when the text is not a duration; the message shows what is
   */
  static double seconds(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a duration such as 600 (seconds), 500ms, 30s, 10m, 1h or 7d, found '"
          + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> amount / 1000;
      case "m" -> amount * 60;
      case "h" -> amount * 3600;
      case "d" -> amount * 86400;
      default -> amount;
    };
  }
}
