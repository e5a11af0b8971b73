package dev.dispatcher.tools.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds, and their percentiles. */
final class Stopwatch {

  private final long[] samples;
  private int size;

  Stopwatch(int capacity) {
    this.samples = new long[capacity];
  }

  void add(long nanos) {
    samples[size++] = nanos;
  }

  double percentileMillis(double p) {
    long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
  }
}
