package dev.dispatcher.tools.bench;

import dev.dispatcher.PublishBatch;
import dev.dispatcher.Publisher;
import dev.dispatcher.TaskRef1;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.Dispatcher;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.WireFormat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The dispatcher end to end: the publisher library sends, the daemon (in this JVM, so both ends
 * share one clock) receives, decodes, binds and starts the no-op task on a virtual thread. A hook
 * marks each task start.
 */
final class DispatcherBench implements AutoCloseable {

  static final String CHANNEL = "bench_dispatcher";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private final Publisher publisher;
  private final Connection transactions;
  private final Dispatcher dispatcher;
  private final Countdown starts = new Countdown();
  private final LinkedBlockingQueue<Long> sequentialStarts = new LinkedBlockingQueue<>();
  private volatile boolean sequential;

  /**
   * @param backlog how many tasks may arrive at once (a drain): the daemon's backlog and waiting
   *     bounds are raised to at least this, so that the bench measures speed, not refusals
   */
  DispatcherBench(String url, int workers, int backlog) throws Exception {
    DatabaseUrl address = DatabaseUrl.parse(url);
    DispatcherConfig.Limits defaults = DispatcherConfig.Limits.forHeap(Runtime.getRuntime().maxMemory());
    DispatcherConfig.Limits limits = new DispatcherConfig.Limits(Math.max(defaults.maxBacklog(), backlog), defaults.maxBacklogBytes(),
        Math.max(defaults.maxWaiting(), backlog), defaults.maxDelayed(), defaults.maxWaitingBytes(), defaults.maxDelayedBytes(), defaults.maxDelay(),
        defaults.maxTimeout());
    DispatcherConfig config = new DispatcherConfig(
        new DispatcherConfig.Database(address, null), List.of(CHANNEL), CHANNEL, "bench",
        new DispatcherConfig.Pool(workers, Duration.ofSeconds(5)),
        new DispatcherConfig.TaskSources(List.of(), List.of()), List.of(), List.of(), List.of(),
        null, null, null, limits, null);
    TaskRegistry registry = TaskRegistry.of(
        List.of(BenchTasks.class.getMethod("noop", long.class)), WireFormat.newObjectMapper());
    DispatcherHook marker = new DispatcherHook() {
      @Override
      public void beforeTask(TaskRun run) {
        if (sequential) {
          sequentialStarts.offer(System.nanoTime());
        } else {
          starts.mark();
        }
      }
    };
    dispatcher = Dispatcher.start(config, registry, List.of(marker), Duration.ofSeconds(30));
    publisher = Publisher.builder().url(url).defaultChannel(CHANNEL).poolSize(2).build();
    transactions = DriverManager.getConnection(address.pgjdbcUrl(), address.user(), address.password());
  }

  /** Publishes {@code count} tasks in batches, each its own transaction; timed until the last one started. */
  Round throughput(int count, int batchSize) throws InterruptedException, TimeoutException {
    sequential = false;
    starts.arm(count);
    long start = System.nanoTime();
    publish(publisher, count, batchSize);
    long sent = System.nanoTime();
    return Round.of(count, start, sent, awaitLastStart(count));
  }

  /**
   * Publishes {@code count} tasks in one transaction (not timed), then commits: Postgres delivers
   * them all at the commit, so the daemon alone sets the pace. Timed from the commit to the last
   * task's start (see {@link DrainRound}).
   */
  DrainRound drain(int count, int statementSize) throws SQLException, InterruptedException, TimeoutException {
    sequential = false;
    transactions.setAutoCommit(false);
    boolean committed = false;
    try {
      publish(publisher.inTransaction(transactions), count, statementSize);
      starts.arm(count);
      long commit = System.nanoTime();
      transactions.commit();
      long committedAt = System.nanoTime();
      committed = true;
      return DrainRound.of(count, commit, committedAt, awaitLastStart(count));
    } finally {
      if (!committed) {
        transactions.rollback(); // nothing half-sent stays open after a failure
      }
      transactions.setAutoCommit(true);
    }
  }

  /** One task at a time: publish, wait until it starts; returns publish-to-start latencies. */
  Stopwatch latency(int samples) throws InterruptedException {
    sequential = true;
    sequentialStarts.clear();
    Stopwatch stopwatch = new Stopwatch(samples);
    TaskRef1<Long> task = publisher.task(BenchTasks::noop);
    for (int i = 0; i < samples; i++) {
      long start = System.nanoTime();
      task.delay((long) i);
      Long started = sequentialStarts.poll(10, TimeUnit.SECONDS);
      if (started == null) {
        throw new IllegalStateException("task did not start within 10 s; daemon counters: " + dispatcher.metrics().summary());
      }
      stopwatch.add(started - start);
    }
    return stopwatch;
  }

  Map<String, Long> dropped() {
    return dispatcher.metrics().droppedByReason();
  }

  private static void publish(Publisher target, int count, int batchSize) {
    for (int from = 0; from < count; from += batchSize) {
      PublishBatch batch = target.batch();
      for (int i = from; i < Math.min(count, from + batchSize); i++) {
        batch.task(BenchTasks::noop).delay((long) i);
      }
      batch.send();
    }
  }

  private Countdown.Arrivals awaitLastStart(int count) throws InterruptedException, TimeoutException {
    try {
      return starts.awaitLast(START_TIMEOUT);
    } catch (TimeoutException e) {
      throw new TimeoutException("of " + count + " tasks, " + e.getMessage() + "; daemon counters: " + dispatcher.metrics().summary());
    }
  }

  @Override
  public void close() throws SQLException {
    transactions.close();
    publisher.close();
    dispatcher.close();
  }
}
