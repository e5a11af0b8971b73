package dev.dispatcher.tools.fuzz;

/**
 * What the hostile messages aim at.
 *
 * @param runTag distinguishes this run's uuids, chunk ids and notes from other runs on the same
 *     database (letters, digits and underscores)
 * @param daemonChannel the channel the daemon listens on (a reply_to pointing back at it)
 * @param victimChannel a channel someone else listens on: a daemon that honours any reply_to
 *     sends replies there
 */
public record Targets(String runTag, String daemonChannel, String victimChannel) {

  public Targets {
    if (!runTag.matches("[A-Za-z0-9_]{1,40}")) {
      throw new IllegalArgumentException("runTag must be 1 to 40 letters, digits or underscores: '" + runTag + "'");
    }
  }

  /** Notes of the demo's insert_row that hostile {@code run} commands ask for: a daemon that obeys leaves rows with this prefix. */
  public String runNotePrefix() {
    return "fuzz-run-" + runTag + "-";
  }
}
