package dev.dispatcher.tools.bench;

/**
 * One durable throughput round of a task system (the dispatcher, or db-scheduler beside it): N
 * tasks published in batches, timed from the first publish to the moment the database shows every
 * one of them done. Done is what another session of the database can see: for the dispatcher every
 * row {@code completed} (its completion writer's transaction committed), for db-scheduler every row
 * gone (its one-time tasks delete their row when they complete). The spans in between say where the
 * time went.
 *
 * @param count tasks in the round
 * @param publishSeconds first publish to the last publish's answer
 * @param lastStartSeconds first publish to the last task's start
 * @param lastFinishSeconds first publish to the last task's end (its outcome handed to be written)
 * @param completedSeconds first publish to the answer of the first poll that saw every row done
 * @param pollSeconds how late that can be: from sending the poll before it (which still saw work
 *     left) to that answer; the true moment lies in between
 */
record DurableRound(int count, double publishSeconds, double lastStartSeconds, double lastFinishSeconds, double completedSeconds,
    double pollSeconds) {

  static DurableRound of(int count, long startNanos, long publishedNanos, long lastStartNanos, long lastFinishNanos,
      CompletionPoll.Seen completed) {
    return new DurableRound(count, seconds(startNanos, publishedNanos), seconds(startNanos, lastStartNanos),
        seconds(startNanos, lastFinishNanos), seconds(startNanos, completed.answeredNanos()),
        seconds(Math.max(startNanos, completed.previousSentNanos()), completed.answeredNanos()));
  }

  private static double seconds(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }

  /** Tasks per second, from the first publish to every row done. */
  double perSecond() {
    return count / completedSeconds;
  }
}
