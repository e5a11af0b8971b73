package dev.dispatcher.tools.chaos;

/**
 * Names the chaos run uses in the database. The daemons it starts keep their tables in a schema
 * of their own, so a run against a database given with {@code --url} leaves the default schema's
 * tasks alone; the journal lives next to their task table.
 */
final class ChaosSchema {

  /** {@code database.schema} of the daemons the run starts. */
  static final String SCHEMA = "dispatcher_chaos";
  static final String TASKS = SCHEMA + ".tasks";
  static final String ENQUEUE_MANY = SCHEMA + ".enqueue_many";
  /** One row per run of {@link ChaosTasks#record}. */
  static final String JOURNAL = SCHEMA + ".chaos_runs";
  /** The channel the daemons listen on and the rows are enqueued on. */
  static final String CHANNEL = "dispatcher_chaos";

  /** application_name of the tool's own control connections: the terminate scenario spares them. */
  static final String CONTROL_APPLICATION = "chaos-control";
  static final String PUBLISHER_APPLICATION = "chaos-publisher";
  static final String JOURNAL_APPLICATION = "chaos-journal";
  static final String HOG_APPLICATION = "chaos-hog";
  static final String READER_APPLICATION = "chaos-reader";

  private ChaosSchema() {}
}
