package dev.dispatcher.tools.fuzz;

import java.util.Locale;

/** What a generated message is; {@link #label()} names it in counts and on the command line. */
public enum Kind {
  /** A demo task the daemon must run exactly once (no delay). */
  VALID(100),
  /** A valid task large enough to travel in chunk envelopes, its parts sent back to back. */
  VALID_CHUNKED(5),
  /** Not JSON, not an object, truncated, two objects, comments, NaN literals... */
  MALFORMED_JSON(100),
  /** A task message with a wrong type (or impossible value) in one of its ten known keys, or in the arguments. */
  WRONG_TYPE(120),
  /** 1e308, -1e308, 1e309, 2^63, 1000-digit integers, NaN and Infinity in numeric keys and arguments. */
  HUGE_NUMBER(80),
  /** Arrays and objects nested up to the payload limit, wide objects, chunk envelopes inside chunk envelopes. */
  DEEP_NESTING(40),
  /** Task names, uuids, arguments and keys of up to 7,500 bytes. */
  HUGE_STRING(40),
  /** Newlines, ESC, NUL (escaped), bidi overrides, lone surrogates and forged log lines in task names and uuids. */
  CONTROL_CHARACTERS(60),
  /** One chunk part claiming a total of up to 2^31-1 parts. */
  CHUNK_HUGE_TOTAL(10),
  /** Chunk envelopes with bad, negative, out-of-range or wrongly typed index, total, id, payload or marker. */
  CHUNK_BAD_INDEX(50),
  /** Parts of one message id that disagree on the total. */
  CHUNK_CONFLICTING_TOTAL(30),
  /** One id shared by many sets, indexes sent twice, ids reused after their message completed. */
  CHUNK_REUSED_ID(30),
  /** Sets with one part missing: they can only expire. */
  CHUNK_NEVER_COMPLETE(30),
  /** Many one-character parts, each claiming a total of up to ten million. */
  CHUNK_AMPLIFICATION(15),
  /** Valid demo tasks with delays from ten minutes to 1.8e308 seconds. */
  DELAY_FLOOD(120),
  /** Read-only and unknown control commands, most with a reply_to of the clients' pattern. */
  CONTROL_FLOOD(100),
  /** Read-only commands whose reply_to is another listener's channel, the daemon's own, or no channel name at all. */
  REPLY_TO_ABUSE(30),
  /** cancel of valid tasks (by uuid and by name), run (a row insert, sleep(1e9), System.exit), set_log_level OFF. */
  ACTING_COMMAND(40);

  private final int defaultWeight;

  Kind(int defaultWeight) {
    this.defaultWeight = defaultWeight;
  }

  /** Its share of {@link Mix#standard()}, per mille. */
  public int defaultWeight() {
    return defaultWeight;
  }

  /** The lower-case name, e.g. {@code chunk_huge_total}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for the kinds whose task must run exactly once. */
  public boolean isValid() {
    return this == VALID || this == VALID_CHUNKED;
  }

  /** The kind with this label. */
  public static Kind fromLabel(String label) {
    try {
      return valueOf(label.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("no message kind '" + label + "'", e);
    }
  }
}
