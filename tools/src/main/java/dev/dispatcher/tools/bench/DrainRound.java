package dev.dispatcher.tools.bench;

/**
 * One drain: a backlog committed in one transaction, so Postgres delivers it all at the commit
 * and the receiver alone sets the pace. Both benches build their drains here, so ceiling and
 * dispatcher follow one clock rule. Two spans are kept, because the commit call itself takes a
 * large share of the first (Postgres writes every notification of the transaction to its queue
 * then, before any can be delivered; the same work for both receivers):
 *
 * @param count messages or tasks committed
 * @param commitSeconds the commit call, from sending COMMIT to its answer
 * @param fromCommitSeconds from sending COMMIT to the last arrival
 * @param afterCommitSeconds from the commit's answer (or the first arrival, if that came earlier:
 *     the server signals its listeners just before it answers) to the last arrival
 */
record DrainRound(int count, double commitSeconds, double fromCommitSeconds, double afterCommitSeconds) {

  static DrainRound of(int count, long commitCallNanos, long committedNanos, Countdown.Arrivals arrivals) {
    long deliveryStart = Math.min(committedNanos, arrivals.firstNanos());
    return new DrainRound(count, (committedNanos - commitCallNanos) / 1e9, (arrivals.lastNanos() - commitCallNanos) / 1e9,
        (arrivals.lastNanos() - deliveryStart) / 1e9);
  }

  /** Tasks per second from sending COMMIT: the drain as the issue defines it. */
  double perSecond() {
    return count / fromCommitSeconds;
  }

  /** Tasks per second once the commit is done: the receiver's part alone. */
  double afterCommitPerSecond() {
    return count / afterCommitSeconds;
  }
}
