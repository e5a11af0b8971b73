package dev.dispatcher.tools.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.tools.postgres.DemoDatabase;
import dev.dispatcher.wire.TaskMessageEncoder;
import dev.dispatcher.wire.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make bench}: end-to-end throughput and latency of the dispatcher, each printed next to
 * the raw pg_notify ceiling measured in the same run with the same payload sizes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure dispatcher throughput and latency next to the raw pg_notify ceiling.")
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--url", description = "Database to use (default: the demo Postgres on --port, started if needed).")
  String url;

  @Option(names = "--port", defaultValue = "55777", description = "Port of the demo Postgres when no --url (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = {"-n", "--count"}, defaultValue = "200000", description = "Tasks per throughput round (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--batch-size", defaultValue = "1000", description = "Submissions per round trip (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--samples", defaultValue = "5000", description = "Sequential tasks in the latency run (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--workers", defaultValue = "16", description = "Daemon pool size (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--rounds", defaultValue = "5", description = "Alternating throughput rounds; the median is reported (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public Integer call() throws Exception {
    for (var option : java.util.Map.of("--count", count, "--batch-size", batchSize, "--samples", samples,
        "--workers", workers, "--rounds", rounds).entrySet()) {
      if (option.getValue() < 1) {
        System.err.println("bench: " + option.getKey() + " must be at least 1, was " + option.getValue());
        return 2;
      }
    }
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    logging.getLogger("dev.dispatcher").setLevel(Level.WARN); // a log line per task would measure the logger
    logging.getLogger("io.zonky").setLevel(Level.WARN);
    if (url != null) {
      return run(url, "given");
    }
    try (DemoDatabase database = DemoDatabase.startOrReuse(port)) {
      return run(database.url(), database.kind());
    }
  }

  private int run(String databaseUrl, String kind) throws Exception {
    DatabaseUrl address = DatabaseUrl.parse(databaseUrl);
    System.out.printf("bench: %s (%s), %d cores, Java %s%n", address, kind, Runtime.getRuntime().availableProcessors(), Runtime.version());
    System.out.printf("       throughput: %d rounds of %d tasks in batches of %d; latency: %d sequential tasks; %d workers%n",
        rounds, count, batchSize, samples, workers);
    List<String> payloads = payloads(count);
    List<String> latencyPayloads = payloads.subList(0, Math.min(samples, payloads.size()));

    // Both stay connected for the whole run, so both listeners load Postgres in every round, and
    // the rounds alternate so that raw and dispatcher see the same machine.
    try (RawNotifyBench raw = new RawNotifyBench(address); DispatcherBench dispatcher = new DispatcherBench(databaseUrl, workers)) {
      raw.throughput(payloads.subList(0, Math.min(count, 20_000)), batchSize); // warm-up
      dispatcher.throughput(Math.min(count, 20_000), batchSize);
      raw.latency(latencyPayloads.subList(0, Math.min(500, latencyPayloads.size())));
      dispatcher.latency(Math.min(500, samples));

      double[] rawRates = new double[rounds];
      double[] dispatcherRates = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        rawRates[round] = raw.throughput(payloads, batchSize);
        dispatcherRates[round] = dispatcher.throughput(count, batchSize);
        System.out.printf("       round %d: raw %.0f/s, dispatcher %.0f/s (publishing %.2f s of %.2f s)%n", round + 1,
            rawRates[round], dispatcherRates[round], dispatcher.lastPublishSeconds(), count / dispatcherRates[round]);
      }
      Stopwatch rawLatency = raw.latency(latencyPayloads);
      Stopwatch dispatcherLatency = dispatcher.latency(samples);
      if (!dispatcher.dropped().isEmpty()) {
        System.out.println("WARNING: the daemon dropped messages: " + dispatcher.dropped());
      }

      Result rawResult = new Result("raw pg_notify", median(rawRates), rawLatency.percentileMillis(50), rawLatency.percentileMillis(99));
      Result dispatcherResult = new Result("dispatcher", median(dispatcherRates),
          dispatcherLatency.percentileMillis(50), dispatcherLatency.percentileMillis(99));
      System.out.println();
      System.out.printf("%-16s %14s %10s %12s %12s%n", "", "throughput/s", "of raw", "p50 (ms)", "p99 (ms)");
      for (Result result : List.of(rawResult, dispatcherResult)) {
        System.out.printf("%-16s %14.0f %9.0f%% %12.3f %12.3f%n", result.name(), result.throughputPerSecond(),
            100 * result.throughputPerSecond() / rawResult.throughputPerSecond(), result.p50Millis(), result.p99Millis());
      }
      System.out.printf("%nthroughput: median of %d rounds; payload: %d bytes per message (a real task message)%n",
          rounds, payloads.get(0).length());
    }
    return 0;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  /** Real task messages for the raw run, the size the dispatcher run sends. */
  private static List<String> payloads(int count) {
    TaskMessageEncoder encoder = new TaskMessageEncoder(WireFormat.newObjectMapper());
    List<String> payloads = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      payloads.add(encoder.encode(new TaskMessageEncoder.Fields(UUID.randomUUID().toString(),
          "dev.dispatcher.tools.bench.BenchTasks.noop", List.of((long) i), null,
          java.time.Instant.now(), 0, 0, null, false))); // exactly what the publisher sends for this task
    }
    return payloads;
  }
}
