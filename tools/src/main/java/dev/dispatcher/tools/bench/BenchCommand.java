package dev.dispatcher.tools.bench;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.tools.QuietLogs;
import dev.dispatcher.tools.postgres.DemoDatabase;
import dev.dispatcher.wire.TaskMessageEncoder;
import dev.dispatcher.wire.WireFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make bench}: the dispatcher's throughput, drain and latency, each printed next to its
 * ceiling measured in the same run with the same payloads: a plain pgjdbc publisher and a plain
 * pgjdbc-ng listener with no dispatcher code in between; durable throughput next to a bare table that
 * a plain pgjdbc loop fills and empties (and, with {@code --peer db-scheduler}, db-scheduler doing the
 * same job), durable latency next to the raw NOTIFY latency.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure dispatcher throughput, drain and latency next to the raw pg_notify ceiling, and durable throughput and latency"
        + " next to a raw durable ceiling.")
public final class BenchCommand implements Callable<Integer> {

  private static final List<String> MEASUREMENTS = List.of("throughput", "drain", "latency", "durable", "durable-latency", "http");
  private static final Set<String> PEERS = Set.of("none", "db-scheduler");
  /** Messages per statement while a drain's transaction is filled (not timed). */
  private static final int DRAIN_STATEMENT_SIZE = 10_000;

  @Option(names = "--url", description = "Database to use (default: the demo Postgres on --port, started if needed).")
  String url;

  @Option(names = "--port", defaultValue = "55777", description = "Port of the demo Postgres when no --url (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--measure", split = ",", defaultValue = "throughput,drain,latency,durable,durable-latency,http",
      description = "What to measure, comma-separated: throughput, drain, latency, durable, durable-latency, http (default: ${DEFAULT-VALUE}).")
  List<String> measure;

  @Option(names = {"-n", "--count"}, defaultValue = "200000", description = "Tasks per throughput round (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--batch-size", defaultValue = "1000", description = "Submissions per round trip in the throughput rounds (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--rounds", defaultValue = "5", description = "Throughput rounds, raw and dispatcher alternating; medians are reported (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--drain-count", defaultValue = "200000", description = "Tasks committed in one transaction per drain round (default: ${DEFAULT-VALUE}).")
  int drainCount;

  @Option(names = "--drain-rounds", defaultValue = "7", description = "Drain rounds after a warm-up round, raw and dispatcher alternating; medians are reported (default: ${DEFAULT-VALUE}).")
  int drainRounds;

  @Option(names = "--samples", defaultValue = "5000", description = "Sequential tasks in the latency run (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--durable-prefetch", defaultValue = "1000",
      description = "The daemon's durable.prefetch: rows claimed beyond the free slots (default: ${DEFAULT-VALUE}; the daemon's own default is 0: free slots only).")
  int durablePrefetchOption;

  @Option(names = "--workers", defaultValue = "16", description = "Daemon pool size, and the peer's threads (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--durable-count", defaultValue = "20000", description = "Tasks per durable round (default: ${DEFAULT-VALUE}).")
  int durableCount;

  @Option(names = "--durable-batch-size", defaultValue = "1000",
      description = "Tasks per enqueue_many statement, and rows per raw insert and delete (default: ${DEFAULT-VALUE}).")
  int durableBatchSize;

  @Option(names = "--durable-rounds", defaultValue = "5",
      description = "Durable rounds after the warm-up rounds, the sides taking turns; medians are reported (default: ${DEFAULT-VALUE}).")
  int durableRounds;

  // One round left the JIT compiling the daemon through the measured rounds (0.6-1.1 s of compile
  // time per second of the run on 2 cores, 2026-12-04), so the first rounds measured the compiler too
  @Option(names = "--durable-warm-up-rounds", defaultValue = "3",
      description = "Durable rounds of every side run first and not counted, for the JIT to settle (default: ${DEFAULT-VALUE}).")
  int durableWarmUpRounds;

  @Option(names = "--durable-samples", defaultValue = "1000", description = "Sequential durable tasks in the durable latency run (default: ${DEFAULT-VALUE}).")
  int durableSamples;

  // 100 left the claim path compiling through the first 2,000 measured samples (its p99 halved after them, 2026-12-04)
  @Option(names = "--durable-warm-up-samples", defaultValue = "2000",
      description = "Sequential durable tasks of each side run first and not counted, for the JIT to settle (default: ${DEFAULT-VALUE}).")
  int durableWarmUpSamples;

  @Option(names = "--http-count", defaultValue = "5000", description = "Submissions per HTTP round, and per publisher round (default: ${DEFAULT-VALUE}).")
  int httpCount;

  @Option(names = "--http-clients", defaultValue = "16", description = "Concurrent HTTP clients, and publisher callers (default: ${DEFAULT-VALUE}).")
  int httpClients;

  @Option(names = "--http-rounds", defaultValue = "3",
      description = "HTTP rounds after a warm-up round, publisher and HTTP taking turns; medians are reported (default: ${DEFAULT-VALUE}).")
  int httpRounds;

  @Option(names = "--peer", defaultValue = "none",
      description = "Another task system measured in the durable rounds: none or db-scheduler (default: ${DEFAULT-VALUE}).")
  String peer;

  @Override
  public Integer call() throws Exception {
    Map<String, Integer> positive = new LinkedHashMap<>();
    positive.put("--count", count);
    positive.put("--batch-size", batchSize);
    positive.put("--rounds", rounds);
    positive.put("--drain-count", drainCount);
    positive.put("--drain-rounds", drainRounds);
    positive.put("--samples", samples);
    positive.put("--workers", workers);
    positive.put("--durable-count", durableCount);
    positive.put("--durable-batch-size", durableBatchSize);
    positive.put("--durable-rounds", durableRounds);
    positive.put("--durable-warm-up-rounds", durableWarmUpRounds);
    positive.put("--durable-samples", durableSamples);
    positive.put("--durable-warm-up-samples", durableWarmUpSamples);
    positive.put("--http-count", httpCount);
    positive.put("--http-clients", httpClients);
    positive.put("--http-rounds", httpRounds);
    for (Map.Entry<String, Integer> option : positive.entrySet()) {
      if (option.getValue() < 1) {
        System.err.println("bench: " + option.getKey() + " must be at least 1, was " + option.getValue());
        return 2;
      }
    }
    for (String name : measure) {
      if (!MEASUREMENTS.contains(name)) {
        System.err.println("bench: --measure: unknown measurement '" + name + "' (known: " + String.join(", ", MEASUREMENTS) + ")");
        return 2;
      }
    }
    if (!PEERS.contains(peer)) {
      System.err.println("bench: --peer: unknown peer '" + peer + "' (known: none, db-scheduler)");
      return 2;
    }
    QuietLogs.apply();
    if (url != null) {
      return run(url, "given");
    }
    try (DemoDatabase database = DemoDatabase.startOrReuse(port)) {
      return run(database.url(), database.kind());
    }
  }

  private int run(String databaseUrl, String kind) throws Exception {
    DatabaseUrl address = DatabaseUrl.parse(databaseUrl);
    boolean throughput = measure.contains("throughput");
    boolean drain = measure.contains("drain");
    boolean latency = measure.contains("latency");
    boolean durable = measure.contains("durable");
    boolean durableLatency = measure.contains("durable-latency");
    boolean withPeer = durable && peer.equals("db-scheduler");
    boolean httpSubmit = measure.contains("http");
    System.out.printf("bench: %s (%s), %d cores, Java %s%n", address, kind, Runtime.getRuntime().availableProcessors(), Runtime.version());
    if (throughput) {
      System.out.printf("       throughput: %d rounds of %d tasks in batches of %d (a transaction each), timed from the first send to the last start%n",
          rounds, count, batchSize);
    }
    if (drain) {
      System.out.printf("       drain: %d rounds (after a warm-up round) of %d tasks committed in one transaction, timed from sending COMMIT%n"
          + "              to the last start, and from the commit's answer to the last start%n", drainRounds, drainCount);
    }
    if (latency) {
      System.out.printf("       latency: %d sequential tasks, publish to start%n", samples);
    }
    if (durable) {
      System.out.printf("       durable: %d rounds (after %d warm-up rounds) of %d tasks, enqueue_many in batches of %d (a statement each),%n"
          + "                timed from the first publish until every row is completed in the table; ceiling: %d rows inserted and%n"
          + "                deleted (FOR UPDATE SKIP LOCKED) %d to a statement on a bare table%s%n", durableRounds, durableWarmUpRounds, durableCount,
          durableBatchSize, durableCount, durableBatchSize, withPeer ? "; peer: db-scheduler, the same tasks, " + workers + " threads" : "");
    }
    if (durableLatency) {
      System.out.printf("       durable latency: %d sequential tasks (after %d not counted), enqueue to start; ceiling: one row inserted with a%n"
          + "                NOTIFY and taken out by a listening connection, as many times%n", durableSamples, durableWarmUpSamples);
    }
    if (httpSubmit) {
      System.out.printf("       http: %d rounds (after a warm-up round) of %d durable submissions, %d concurrent callers, one task per request%n"
          + "             over the HTTP API (keep-alive) and through the Java publisher (one per call), timed to the last answer%n",
          httpRounds, httpCount, httpClients);
    }
    int durablePrefetch = durablePrefetchOption;
    System.out.printf("       %d workers; durable.prefetch %d; task log lines off%n", workers, durablePrefetch);
    List<String> payloads = payloads(Math.max(Math.max(throughput ? count : 1, drain ? drainCount : 1),
        Math.max(latency ? samples : 1, durableLatency ? durableSamples : 1)));

    // Both stay connected for the whole run, so both listeners load Postgres in every round, and
    // the rounds alternate (and swap which goes first) so that raw and dispatcher see the same machine.
    PairedRounds throughputRounds = new PairedRounds();
    PairedRounds drainFromCommit = new PairedRounds();
    PairedRounds drainAfterCommit = new PairedRounds();
    Stopwatch rawLatency = null;
    Stopwatch dispatcherLatency = null;
    PairedRounds durableRates = new PairedRounds();
    PairedRounds withResults = new PairedRounds();
    PairedRounds peerRounds = new PairedRounds();
    Stopwatch rawDurableLatency = null;
    Stopwatch durableLatencies = null;
    Map<String, Long> dropped;
    try (RawNotifyBench raw = new RawNotifyBench(address);
        DispatcherBench dispatcher = new DispatcherBench(databaseUrl, workers, Math.max(count, drainCount), durablePrefetch)) {
      if (throughput) {
        measureThroughput(raw, dispatcher, payloads.subList(0, count), throughputRounds);
      }
      if (drain) {
        measureDrain(raw, dispatcher, payloads.subList(0, drainCount), drainFromCommit, drainAfterCommit);
      }
      if (latency) {
        List<String> latencyPayloads = payloads.subList(0, samples);
        raw.latency(latencyPayloads.subList(0, Math.min(500, samples))); // warm-up
        dispatcher.latency(Math.min(500, samples));
        rawLatency = raw.latency(latencyPayloads);
        dispatcherLatency = dispatcher.latency(samples);
      }
      if (durable || durableLatency) {
        try (RawDurableBench rawDurable = new RawDurableBench(address, durableBatchSize)) {
          if (durable) {
            measureDurable(address, rawDurable, dispatcher, withPeer, durableRates, withResults, peerRounds);
          }
          if (durableLatency) {
            List<String> rows = DurablePayloads.rows(Math.max(durableSamples, durableWarmUpSamples), DispatcherBench.CHANNEL);
            rawDurable.latency(rows.subList(0, durableWarmUpSamples)); // warm-up
            dispatcher.durableLatency(durableWarmUpSamples);
            rawDurableLatency = rawDurable.latency(rows.subList(0, durableSamples));
            durableLatencies = dispatcher.durableLatency(durableSamples);
          }
        }
      }
      dropped = dispatcher.dropped();
    }
    PairedRounds httpRates = new PairedRounds();
    if (httpSubmit) {
      measureHttp(databaseUrl, httpRates);
    }

    System.out.println();
    if (throughput || drain || latency || durable || durableLatency) {
      System.out.printf("%-22s %14s %14s %16s %12s%n", "", "raw ceiling", "dispatcher", "dispatcher/raw", "per round");
    }
    if (throughput) {
      rateRow("throughput (tasks/s)", throughputRounds);
    }
    if (drain) {
      rateRow("drain (tasks/s)", drainFromCommit);
      rateRow("  after the commit", drainAfterCommit);
    }
    if (latency) {
      latencyRow("latency p50 (ms)", rawLatency.percentileMillis(50), dispatcherLatency.percentileMillis(50));
      latencyRow("latency p99 (ms)", rawLatency.percentileMillis(99), dispatcherLatency.percentileMillis(99));
    }
    if (durable) {
      rateRow("durable (tasks/s)", durableRates);
      rateRow("  with results", withResults);
      if (withPeer) {
        rateRow("  db-scheduler", peerRounds);
      }
    }
    if (httpSubmit) {
      System.out.printf("%-22s %14s %14s %16s %12s%n", "", "Java publisher", "HTTP API", "HTTP/publisher", "per round");
      rateRow("submissions/s", httpRates);
    }
    if (durableLatency) {
      latencyRow("durable p50 (ms)", rawDurableLatency.percentileMillis(50), durableLatencies.percentileMillis(50));
      latencyRow("durable p99 (ms)", rawDurableLatency.percentileMillis(99), durableLatencies.percentileMillis(99));
    }
    System.out.println();
    System.out.printf("rates: medians of %s; 'per round': median of the rounds' dispatcher/raw ratios%n",
        String.join(" and ", roundCounts(throughput, drain, durable, httpSubmit)));
    if (durable) {
      System.out.printf("durable: raw ceiling = insert + delete on a bare table; dispatcher = enqueue_many to every row completed%s%n",
          withPeer ? "; db-scheduler = scheduleBatch to every row gone (its row against the same raw ceiling)" : "");
      System.out.printf("with results: the same rounds with a no-op task returning a small value, kept as each row's result; its row's"
          + " first column is the rounds without results, its ratio the cost of recording them (goal: at least 85%%)%n");
    }
    if (durableLatency) {
      System.out.println("durable latency: enqueue (row and doorbell committed) to the task's start; raw = insert with NOTIFY, then the"
          + " listener's delete of the row (two commits each)");
    }
    System.out.printf("payload: %d bytes per message (a real task message), built before the raw rounds; filling a drain's transaction is not timed%n",
        payloads.get(0).length());
    if (!dropped.isEmpty()) {
      System.out.println("ERROR: the daemon dropped messages, so the figures above do not count: " + dropped);
      return 1;
    }
    return 0;
  }

  private void measureThroughput(RawNotifyBench raw, DispatcherBench dispatcher, List<String> payloads, PairedRounds rounds)
      throws Exception {
    int warmUp = Math.min(count, 20_000);
    raw.throughput(payloads.subList(0, warmUp), batchSize);
    dispatcher.throughput(warmUp, batchSize);
    for (int round = 1; round <= this.rounds; round++) {
      Pair<Round> both = inTurn(round, () -> raw.throughput(payloads, batchSize), () -> dispatcher.throughput(count, batchSize));
      rounds.add(both.raw().perSecond(), both.dispatcher().perSecond());
      System.out.printf("       throughput round %d: raw %,.0f/s (sending %.2f s of %.2f s), dispatcher %,.0f/s (publishing %.2f s of %.2f s): %.0f%%%n",
          round, both.raw().perSecond(), both.raw().sendingSeconds(), both.raw().seconds(),
          both.dispatcher().perSecond(), both.dispatcher().sendingSeconds(), both.dispatcher().seconds(),
          100 * both.dispatcher().perSecond() / both.raw().perSecond());
    }
  }

  private void measureDrain(RawNotifyBench raw, DispatcherBench dispatcher, List<String> payloads,
      PairedRounds fromCommit, PairedRounds afterCommit) throws Exception {
    DrainRound rawWarmUp = raw.drain(payloads, DRAIN_STATEMENT_SIZE); // a JIT warm-up round of the same size
    DrainRound dispatcherWarmUp = dispatcher.drain(drainCount, DRAIN_STATEMENT_SIZE);
    System.out.printf("       drain warm-up: raw %,.0f/s, dispatcher %,.0f/s (not counted)%n", rawWarmUp.perSecond(), dispatcherWarmUp.perSecond());
    for (int round = 1; round <= drainRounds; round++) {
      Pair<DrainRound> both = inTurn(round, () -> raw.drain(payloads, DRAIN_STATEMENT_SIZE), () -> dispatcher.drain(drainCount, DRAIN_STATEMENT_SIZE));
      DrainRound r = both.raw();
      DrainRound d = both.dispatcher();
      fromCommit.add(r.perSecond(), d.perSecond());
      afterCommit.add(r.afterCommitPerSecond(), d.afterCommitPerSecond());
      System.out.printf("       drain round %d: raw %,.0f/s in %.3f s (commit %.3f s, then %,.0f/s), "
              + "dispatcher %,.0f/s in %.3f s (commit %.3f s, then %,.0f/s): %.0f%% (after the commit %.0f%%)%n",
          round, r.perSecond(), r.fromCommitSeconds(), r.commitSeconds(), r.afterCommitPerSecond(),
          d.perSecond(), d.fromCommitSeconds(), d.commitSeconds(), d.afterCommitPerSecond(),
          100 * d.perSecond() / r.perSecond(), 100 * d.afterCommitPerSecond() / r.afterCommitPerSecond());
    }
  }

  /** One measurement of each side. */
  private record Pair<T>(T raw, T dispatcher) {}

  @FunctionalInterface
  private interface Measurement<T> {
    T run() throws Exception;
  }

  /** Raw first in odd rounds, the dispatcher first in even ones, so neither always runs on the other's leftovers. */
  private static <T> Pair<T> inTurn(int round, Measurement<T> raw, Measurement<T> dispatcher) throws Exception {
    if (round % 2 == 1) {
      T first = raw.run();
      return new Pair<>(first, dispatcher.run());
    }
    T first = dispatcher.run();
    return new Pair<>(raw.run(), first);
  }

  private void measureDurable(DatabaseUrl address, RawDurableBench raw, DispatcherBench dispatcher, boolean withPeer, PairedRounds ours,
      PairedRounds withResults, PairedRounds peers) throws Exception {
    List<String> rows = DurablePayloads.rows(durableCount, DispatcherBench.CHANNEL);
    List<List<String>> rawBatches = DurablePayloads.batches(rows, durableBatchSize);
    List<String> arrays = DurablePayloads.arrays(rows, durableBatchSize);
    List<String> resultArrays = DurablePayloads.arrays(DurablePayloads.rows(durableCount, DispatcherBench.CHANNEL,
        DurablePayloads.TASK_WITH_RESULT), durableBatchSize);
    try (DbSchedulerPeer peer = withPeer ? new DbSchedulerPeer(address, workers) : null) {
      List<Measurement<Object>> sides = new ArrayList<>();
      sides.add(() -> raw.round(rawBatches));
      sides.add(() -> dispatcher.durable(arrays, durableCount));
      sides.add(() -> dispatcher.durable(resultArrays, durableCount));
      if (withPeer) {
        sides.add(() -> peer.round(durableCount, durableBatchSize));
      }
      List<Object> warmUp = runAll(sides, 1);
      for (int round = 2; round <= durableWarmUpRounds; round++) {
        warmUp = runAll(sides, round);
      }
      System.out.printf("       durable warm-up (the last of %d): raw %,.0f/s, dispatcher %,.0f/s, with results %,.0f/s%s (not counted)%n",
          durableWarmUpRounds, ((Round) warmUp.get(0)).perSecond(), ((DurableRound) warmUp.get(1)).perSecond(),
          ((DurableRound) warmUp.get(2)).perSecond(),
          withPeer ? String.format(", db-scheduler %,.0f/s", ((DurableRound) warmUp.get(3)).perSecond()) : "");
      for (int round = 1; round <= durableRounds; round++) {
        List<Object> results = runAll(sides, round);
        Round r = (Round) results.get(0);
        DurableRound d = (DurableRound) results.get(1);
        DurableRound w = (DurableRound) results.get(2);
        ours.add(r.perSecond(), d.perSecond());
        withResults.add(d.perSecond(), w.perSecond());
        String peerText = "";
        if (withPeer) {
          DurableRound p = (DurableRound) results.get(3);
          peers.add(r.perSecond(), p.perSecond());
          peerText = String.format(", db-scheduler %,.0f/s (%s)", p.perSecond(), spans(p));
        }
        System.out.printf("       durable round %d: raw %,.0f/s (inserting %.3f s of %.3f s), dispatcher %,.0f/s (%s): %.0f%%;"
                + " with results %,.0f/s (%s): %.0f%% of without%s%n",
            round, r.perSecond(), r.sendingSeconds(), r.seconds(), d.perSecond(), spans(d), 100 * d.perSecond() / r.perSecond(),
            w.perSecond(), spans(w), 100 * w.perSecond() / d.perSecond(), peerText);
      }
    }
  }

  private void measureHttp(String databaseUrl, PairedRounds rates) throws Exception {
    try (HttpSubmitBench bench = new HttpSubmitBench(databaseUrl, httpClients)) {
      Round publisherWarmUp = bench.publisher(Math.min(httpCount, 2000));
      Round httpWarmUp = bench.http(Math.min(httpCount, 2000));
      System.out.printf("       http warm-up: publisher %,.0f/s, HTTP %,.0f/s (not counted)%n", publisherWarmUp.perSecond(), httpWarmUp.perSecond());
      for (int round = 1; round <= httpRounds; round++) {
        Pair<Round> both = inTurn(round, () -> bench.publisher(httpCount), () -> bench.http(httpCount));
        rates.add(both.raw().perSecond(), both.dispatcher().perSecond());
        System.out.printf("       http round %d: publisher %,.0f/s, HTTP %,.0f/s: %.0f%%%n", round, both.raw().perSecond(),
            both.dispatcher().perSecond(), 100 * both.dispatcher().perSecond() / both.raw().perSecond());
      }
    }
  }

  /** Where a durable round's time went: publishing, last start, last end, all completed (and how precisely that was seen). */
  private static String spans(DurableRound round) {
    return String.format("publishing %.3f s, last start %.3f s, last end %.3f s, completed %.3f s ±%.1f ms", round.publishSeconds(),
        round.lastStartSeconds(), round.lastFinishSeconds(), round.completedSeconds(), round.pollSeconds() * 1000);
  }

  /** Runs every side once, in the round's turn ({@link Rotation}); the results in the sides' order. */
  private static List<Object> runAll(List<Measurement<Object>> sides, int round) throws Exception {
    Object[] results = new Object[sides.size()];
    for (int side : Rotation.order(round, sides.size())) {
      results[side] = sides.get(side).run();
    }
    return List.of(results);
  }

  private List<String> roundCounts(boolean throughput, boolean drain, boolean durable, boolean http) {
    List<String> parts = new ArrayList<>();
    if (http) {
      parts.add(httpRounds + " http rounds");
    }
    if (throughput) {
      parts.add(rounds + " throughput rounds");
    }
    if (drain) {
      parts.add(drainRounds + " drain rounds");
    }
    if (durable) {
      parts.add(durableRounds + " durable rounds");
    }
    return parts.isEmpty() ? List.of("no rounds") : parts;
  }

  private static void rateRow(String name, PairedRounds rounds) {
    System.out.printf("%-22s %,14.0f %,14.0f %15.0f%% %11.0f%%%n", name, rounds.ceilingMedian(), rounds.dispatcherMedian(),
        100 * rounds.dispatcherMedian() / rounds.ceilingMedian(), 100 * rounds.medianRatio());
  }

  private static void latencyRow(String name, double raw, double dispatcher) {
    System.out.printf("%-22s %14.3f %14.3f %15.2fx%n", name, raw, dispatcher, dispatcher / raw);
  }

  /** Real task messages for the raw runs, the size the dispatcher runs send. */
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
