package dev.dispatcher.tools.bench;

/** One row of the benchmark table. */
record Result(String name, double throughputPerSecond, double p50Millis, double p99Millis) {}
