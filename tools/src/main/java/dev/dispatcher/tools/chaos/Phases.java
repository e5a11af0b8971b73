package dev.dispatcher.tools.chaos;

import java.time.Duration;

/** How long each phase of a scenario lasts. */
record Phases(Duration baseline, Duration stress, Duration recovery) {

  Phases {
    for (Duration phase : new Duration[] {baseline, stress, recovery}) {
      if (phase.isNegative() || phase.isZero()) {
        throw new IllegalArgumentException("every phase must last at least a second");
      }
    }
  }

  /**
   * {@code "20"} (all three phases 20 s) or {@code "20,20,20"} / {@code "20/20/20"} (baseline,
   * stress, recovery), whole or fractional seconds, each at least 1.
   */
  static Phases parse(String text) {
    String[] parts = text.strip().split("\\s*[,/]\\s*");
    if (parts.length != 1 && parts.length != 3) {
      throw new IllegalArgumentException("--phase-seconds: give one length for all phases or three (baseline,stress,recovery), was '"
          + text + "'");
    }
    Duration[] lengths = new Duration[3];
    for (int i = 0; i < 3; i++) {
      String part = parts[parts.length == 1 ? 0 : i];
      double seconds;
      try {
        seconds = Double.parseDouble(part);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--phase-seconds: '" + part + "' is not a number of seconds");
      }
      if (!(seconds >= 1) || seconds > 86_400) {
        throw new IllegalArgumentException("--phase-seconds: each phase lasts from 1 to 86400 s, was " + part);
      }
      lengths[i] = Duration.ofMillis(Math.round(seconds * 1000));
    }
    return new Phases(lengths[0], lengths[1], lengths[2]);
  }

  /** The same baseline and recovery with another stress length. */
  Phases withStress(Duration stressLength) {
    return new Phases(baseline, stressLength, recovery);
  }

  @Override
  public String toString() {
    return seconds(baseline) + "/" + seconds(stress) + "/" + seconds(recovery) + " s";
  }

  private static String seconds(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0);
  }
}
