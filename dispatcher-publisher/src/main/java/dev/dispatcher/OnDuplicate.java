package dev.dispatcher;

import java.util.Locale;

/** The wire format's {@code on_duplicate} policies; duplicates share task, args and kwargs. */
public enum OnDuplicate {
  /** No check: duplicates run side by side. */
  PARALLEL,
  /** Drop the new submission if a duplicate is running, queued or held. */
  DISCARD,
  /** Hold the new submission while a duplicate runs or is queued; release in arrival order. */
  SERIAL,
  /** Like {@link #SERIAL} but hold at most one; further duplicates are dropped. */
  QUEUE_ONE;

  /** The value sent on the wire, e.g. {@code queue_one}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire value.
   *
   * @throws IllegalArgumentException naming the value when it is not one of the four policies
   */
  public static OnDuplicate fromWire(String value) {
    for (OnDuplicate policy : values()) {
      if (policy.wireName().equals(value)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "unknown on_duplicate '" + value + "' (expected parallel, discard, serial or queue_one)");
  }
}
