package dev.dispatcher.tools.sustained;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.Dispatcher;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.metrics.EventCounts;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.tools.QuietLogs;
import dev.dispatcher.tools.bench.BenchTasks;
import dev.dispatcher.tools.postgres.DemoDatabase;
import dev.dispatcher.wire.WireFormat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make bench-sustained}: durable tasks enqueued at a steady rate for minutes, with the
 * daemon's cleanup, vacuum and heartbeat all running, as in production. Every sample interval it
 * prints what the daemon completed in that window, the backlog, the rows held, the table's size and
 * dead rows; at the end, how many tasks ran more than once and whether any was lost. A short
 * benchmark cannot show what this shows: whether completions stay flat while the table churns.
 *
 * <p>The daemon runs in this JVM on a schema of its own, {@value #SCHEMA}, dropped at the start.
 */
@Command(name = "sustained", mixinStandardHelpOptions = true,
    description = "Durable tasks at a steady rate for minutes: completions per window, backlog, table size, tasks run twice, tasks lost.")
public final class SustainedCommand implements Callable<Integer> {

  static final String SCHEMA = "dispatcher_sustained";
  static final String CHANNEL = "sustained";
  private static final String TASK = "dev.dispatcher.tools.bench.BenchTasks.noop";

  @Option(names = "--url", description = "Database to use (default: the demo Postgres on --port, started if needed).")
  String url;

  @Option(names = "--port", defaultValue = "55777", description = "Port of the demo Postgres when no --url (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--rate", defaultValue = "5000", description = "Tasks enqueued per second (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--seconds", defaultValue = "600", description = "How long tasks are enqueued (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--batch-size", defaultValue = "500", description = "Tasks per enqueue_many statement (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--workers", defaultValue = "16", description = "Daemon pool size (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--prefetch", defaultValue = "1000", description = "The daemon's durable.prefetch (default: ${DEFAULT-VALUE}).")
  int prefetch;

  @Option(names = "--sample-seconds", defaultValue = "10", description = "Seconds between printed samples (default: ${DEFAULT-VALUE}).")
  int sampleSeconds;

  @Option(names = "--retention-seconds", defaultValue = "60",
      description = "The daemon's durable.completed_retention, so the cleanup runs during the run (default: ${DEFAULT-VALUE}).")
  int retentionSeconds;

  @Option(names = "--cleanup-interval-seconds", defaultValue = "30", description = "The daemon's durable.cleanup_interval (default: ${DEFAULT-VALUE}).")
  int cleanupIntervalSeconds;

  @Option(names = "--drain-seconds", defaultValue = "300", description = "After the last enqueue, how long the backlog may take to run (default: ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Override
  public Integer call() throws Exception {
    int[] positive = {rate, seconds, batchSize, workers, sampleSeconds, retentionSeconds, cleanupIntervalSeconds, drainSeconds};
    String[] names = {"--rate", "--seconds", "--batch-size", "--workers", "--sample-seconds", "--retention-seconds", "--cleanup-interval-seconds",
        "--drain-seconds"};
    for (int i = 0; i < positive.length; i++) {
      if (positive[i] < 1) {
        System.err.println("sustained: " + names[i] + " must be at least 1, was " + positive[i]);
        return 2;
      }
    }
    if (prefetch < 0) {
      System.err.println("sustained: --prefetch must be at least 0, was " + prefetch);
      return 2;
    }
    long planned = (long) rate * seconds;
    if (planned > 50_000_000) {
      System.err.println("sustained: --rate × --seconds must be at most 50,000,000 tasks, was " + planned);
      return 2;
    }
    QuietLogs.apply();
    if (url != null) {
      return run(DatabaseUrl.parse(url), "given", (int) planned);
    }
    try (DemoDatabase database = DemoDatabase.startOrReuse(port)) {
      return run(DatabaseUrl.parse(database.url()), database.kind(), (int) planned);
    }
  }

  private int run(DatabaseUrl address, String kind, int total) throws Exception {
    System.out.printf("sustained: %s (%s), %d cores, Java %s%n", address, kind, Runtime.getRuntime().availableProcessors(), Runtime.version());
    System.out.printf("           %,d tasks/s for %d s (%,d tasks) in batches of %d; %d workers, prefetch %d; completed rows kept %d s,"
        + " cleanup every %d s%n", rate, seconds, total, batchSize, workers, prefetch, retentionSeconds, cleanupIntervalSeconds);
    try (Connection sampler = DriverManager.getConnection(address.pgjdbcUrl(), address.user(), address.password())) {
      try (Statement statement = sampler.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      }
      RunLedger ledger = new RunLedger(total);
      DispatcherHook marker = new DispatcherHook() {
        @Override
        public void beforeTask(TaskRun run) {
          ledger.started(run.message().raw().path("args").path(0).asLong(-1));
        }
      };
      try (Dispatcher daemon = Dispatcher.start(config(address), TaskRegistry.of(List.of(BenchTasks.class.getMethod("noop", long.class)),
          WireFormat.newObjectMapper()), List.of(marker), Duration.ofSeconds(60));
          PacedProducer producer = new PacedProducer(address, SCHEMA, TASK, CHANNEL, rate, batchSize, total)) {
        return measure(daemon.metrics(), producer, ledger, sampler, total);
      }
    }
  }

  private DispatcherConfig config(DatabaseUrl address) {
    DispatcherConfig.Limits defaults = DispatcherConfig.Limits.forHeap(Runtime.getRuntime().maxMemory());
    DispatcherConfig.Durable d = DispatcherConfig.Durable.DEFAULT;
    DispatcherConfig.Durable durable = new DispatcherConfig.Durable(true, d.pollInterval(), d.lease(), d.heartbeatInterval(), d.rescueInterval(),
        d.claimBatch(), Duration.ofSeconds(retentionSeconds), d.failedRetention(), Duration.ofSeconds(cleanupIntervalSeconds), d.vacuumDeadRows(),
        prefetch);
    return new DispatcherConfig(new DispatcherConfig.Database(address, null, SCHEMA), List.of(CHANNEL), CHANNEL, "sustained",
        new DispatcherConfig.Pool(workers, Duration.ofSeconds(30)), new DispatcherConfig.TaskSources(List.of(), List.of()), List.of(), List.of(),
        List.of(), null, null, null, defaults, null, durable);
  }

  private int measure(EventCounts counts, PacedProducer producer, RunLedger ledger, Connection sampler, int total) throws Exception {
    System.out.printf("%n%7s %10s %10s %10s %9s %9s %9s %9s %9s %9s %8s%n", "time s", "enqueued", "completed", "per s", "waiting", "running",
        "finished", "table MB", "dead rows", "ran twice", "expired");
    long start = System.nanoTime();
    long sampleNanos = Duration.ofSeconds(sampleSeconds).toNanos();
    long deadline = start + Duration.ofSeconds(seconds + drainSeconds).toNanos();
    List<Double> windowRates = new ArrayList<>();
    long lastCompletions = counts.durableCompletions();
    long lastAt = start;
    long maxWaiting = 0;
    long maxBytes = 0;
    producer.start();
    while (true) {
      long next = lastAt + sampleNanos;
      while (System.nanoTime() < next && !(producer.done() && settled(counts, ledger, producer))) {
        Thread.sleep(50); // the sampling clock of a benchmark, not a test's synchronisation
      }
      long now = System.nanoTime();
      long completions = counts.durableCompletions();
      double perSecond = (completions - lastCompletions) / ((now - lastAt) / 1e9);
      TableSample table = TableSample.of(sampler, SCHEMA);
      maxWaiting = Math.max(maxWaiting, table.waiting());
      maxBytes = Math.max(maxBytes, table.totalBytes());
      boolean producing = !producer.done();
      if (producing && lastAt > start) {
        windowRates.add(perSecond); // whole windows of the steady part only: not the first (warm-up), not the drain
      }
      System.out.printf("%7.0f %,10d %,10d %,10.0f %,9d %,9d %,9d %9.1f %,9d %,9d %,8d%s%n", (now - start) / 1e9, producer.published(), completions,
          perSecond, table.waiting(), table.running(), table.finished(), table.totalBytes() / 1e6, table.deadRows(), ledger.repeated(),
          counts.durableLeaseExpiries(), producing ? "" : "  (draining)");
      lastCompletions = completions;
      lastAt = now;
      if (producer.failure() != null) {
        System.out.println("ERROR: the producer failed: " + producer.failure());
        return 1;
      }
      if (producer.done() && settled(counts, ledger, producer)) {
        break;
      }
      if (now > deadline) {
        System.out.printf("ERROR: %,d of %,d tasks completed %d s after the last enqueue%n", counts.durableCompletions(), producer.published(),
            drainSeconds);
        break;
      }
    }
    return summary(counts, producer, ledger, windowRates, maxWaiting, maxBytes, (System.nanoTime() - start) / 1e9);
  }

  /** Every enqueued task started, and every run's outcome was written (or refused by the fence, for a run whose lease was lost). */
  private static boolean settled(EventCounts counts, RunLedger ledger, PacedProducer producer) {
    return ledger.distinct() >= producer.published()
        && counts.durableCompletions() + counts.durableFenced() >= ledger.distinct() + ledger.repeated();
  }

  private int summary(EventCounts counts, PacedProducer producer, RunLedger ledger, List<Double> windowRates, long maxWaiting, long maxBytes,
      double elapsed) {
    int published = producer.published();
    long lost = ledger.neverStarted(published);
    List<Double> sorted = new ArrayList<>(windowRates);
    Collections.sort(sorted);
    System.out.println();
    System.out.printf("enqueued:  %,d tasks in %d s (%,.0f/s offered)%n", published, seconds, (double) published / seconds);
    if (!sorted.isEmpty()) {
      System.out.printf("completed per %d s window while enqueuing: min %,.0f/s, median %,.0f/s, max %,.0f/s (%d windows)%n", sampleSeconds,
          sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), sorted.size());
    }
    System.out.printf("largest backlog: %,d rows waiting; largest table: %.1f MB; %.0f s from the first enqueue to the last completion%n", maxWaiting,
        maxBytes / 1e6, elapsed);
    System.out.printf("ran twice: %,d (leases expired: %,d, outcomes refused by the fence: %,d); never ran: %,d%s%n", ledger.repeated(),
        counts.durableLeaseExpiries(), counts.durableFenced(), lost, ledger.outOfRange() > 0 ? "; out of range: " + ledger.outOfRange() : "");
    if (lost > 0) {
      System.out.println("ERROR: tasks were lost");
      return 1;
    }
    return 0;
  }
}
