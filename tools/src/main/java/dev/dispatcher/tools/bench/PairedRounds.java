package dev.dispatcher.tools.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rounds of one rate measurement: in each, the ceiling's rate and the dispatcher's, taken
 * back to back on the same machine. Reported as medians, because single rounds on a shared 2-core
 * machine vary by up to 2x.
 */
final class PairedRounds {

  private final List<double[]> rounds = new ArrayList<>();

  void add(double ceiling, double dispatcher) {
    rounds.add(new double[] {ceiling, dispatcher});
  }

  int size() {
    return rounds.size();
  }

  double ceilingMedian() {
    return median(rounds.stream().mapToDouble(round -> round[0]).toArray());
  }

  double dispatcherMedian() {
    return median(rounds.stream().mapToDouble(round -> round[1]).toArray());
  }

  /** Median of the dispatcher's share of the ceiling in each round: pairs neighbours, so slow drifts of the machine cancel. */
  double medianRatio() {
    return median(rounds.stream().mapToDouble(round -> round[1] / round[0]).toArray());
  }

  static double median(double[] values) {
    if (values.length == 0) {
      throw new IllegalStateException("no rounds");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }
}
