package dev.dispatcher.tools.bench;

/**
 * One timed throughput round: batches sent one after another, timed from the first send to the
 * last arrival. Both benches build their rounds here, so ceiling and dispatcher follow one clock rule.
 *
 * @param count messages or tasks in the round
 * @param sendingSeconds how long the sender took to send them all
 * @param seconds first send to last arrival
 */
record Round(int count, double sendingSeconds, double seconds) {

  static Round of(int count, long startNanos, long sentNanos, Countdown.Arrivals arrivals) {
    return new Round(count, (sentNanos - startNanos) / 1e9, (arrivals.lastNanos() - startNanos) / 1e9);
  }

  double perSecond() {
    return count / seconds;
  }
}
