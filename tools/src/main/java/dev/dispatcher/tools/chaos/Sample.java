package dev.dispatcher.tools.chaos;

/**
 * One reading of the sampler.
 *
 * @param nanos when, in {@link System#nanoTime()}
 * @param completed rows of the task table in state {@code completed} so far (cumulative)
 * @param published submissions the publisher had enqueued and seen acknowledged so far (cumulative)
 * @param deadTuples {@code pg_stat_user_tables.n_dead_tup} of the task table, or -1 when unknown
 */
record Sample(long nanos, long completed, long published, long deadTuples) {

  /** Published but not completed yet. */
  long backlog() {
    return Math.max(0, published - completed);
  }
}
