package dev.dispatcher.service.storage;

/**
 * What a run of the migrations did.
 *
 * @param schema the schema migrated
 * @param before its version before the run, or null when it had none (a new schema)
 * @param after its version after the run
 * @param applied how many migrations this run applied (0: it was up to date)
 * @param millis how long the run took
 */
public record MigrationReport(SchemaName schema, String before, String after, int applied, long millis) {

  /** One line for a log or a terminal. */
  public String describe() {
    if (applied == 0) {
      return "schema " + schema + " is up to date at version " + after;
    }
    return "schema " + schema + " migrated " + (before == null ? "" : "from version " + before + " ") + "to version " + after + " ("
        + applied + (applied == 1 ? " migration" : " migrations") + " applied in " + millis + " ms)";
  }
}
