package dev.dispatcher.tools.bench;

import dev.dispatcher.PublishBatch;
import dev.dispatcher.Publisher;
import dev.dispatcher.TaskRef1;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.Dispatcher;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.TaskOutcome;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.WireFormat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The dispatcher end to end: the publisher library sends, the daemon (in this JVM, so both ends
 * share one clock) receives, decodes, binds and starts the no-op task on a virtual thread. A hook
 * marks each task start (and, for the durable rounds, each task end).
 *
 * <p>Its tables are in a schema of its own, {@value #SCHEMA}: the durable rounds truncate the task
 * table between rounds, which must never hit the tasks of a real daemon using the same database.
 */
final class DispatcherBench implements AutoCloseable {

  static final String CHANNEL = "bench_dispatcher";
  /** The daemon's schema for the bench ({@code database.schema}); its migrations create the durable task table there. */
  static final String SCHEMA = "dispatcher_bench";
  private static final String TASKS = "\"" + SCHEMA + "\".tasks";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  /** Between completion polls: they start only once every task of the round has ended in process. */
  static final Duration COMPLETION_POLL_INTERVAL = Duration.ofMillis(2);
  private static final Duration COMPLETION_TIMEOUT = Duration.ofSeconds(60);

  private final Publisher publisher;
  private final Connection transactions;
  private final Dispatcher dispatcher;
  private final Countdown starts = new Countdown();
  private final Countdown finishes = new Countdown();
  private final CompletionPoll completionPoll = new CompletionPoll();
  private final Connection durable;
  private final PreparedStatement enqueueMany;
  private final PreparedStatement enqueueOne;
  private final LinkedBlockingQueue<Long> sequentialStarts = new LinkedBlockingQueue<>();
  private volatile boolean sequential;

  /**
   * @param backlog how many tasks may arrive at once (a drain): the daemon's backlog and waiting
   *     bounds are raised to at least this, so that the bench measures speed, not refusals
   */
  /** @param durablePrefetch the daemon's durable.prefetch */
  DispatcherBench(String url, int workers, int backlog, int durablePrefetch) throws Exception {
    DatabaseUrl address = DatabaseUrl.parse(url);
    DispatcherConfig.Limits defaults = DispatcherConfig.Limits.forHeap(Runtime.getRuntime().maxMemory());
    DispatcherConfig.Limits limits = new DispatcherConfig.Limits(Math.max(defaults.maxBacklog(), backlog), defaults.maxBacklogBytes(),
        Math.max(defaults.maxWaiting(), backlog), defaults.maxDelayed(), defaults.maxWaitingBytes(), defaults.maxDelayedBytes(), defaults.maxDelay(),
        defaults.maxTimeout());
    DispatcherConfig config = new DispatcherConfig(
        new DispatcherConfig.Database(address, null, SCHEMA), List.of(CHANNEL), CHANNEL, "bench",
        new DispatcherConfig.Pool(workers, Duration.ofSeconds(5)),
        new DispatcherConfig.TaskSources(List.of(), List.of()), List.of(), List.of(), List.of(),
        null, null, null, limits, null, prefetching(durablePrefetch));
    TaskRegistry registry = TaskRegistry.of(
        List.of(BenchTasks.class.getMethod("noop", long.class), BenchTasks.class.getMethod("noopResult", long.class)),
        WireFormat.newObjectMapper());
    DispatcherHook marker = new DispatcherHook() {
      @Override
      public void beforeTask(TaskRun run) {
        if (sequential) {
          sequentialStarts.offer(System.nanoTime());
        } else {
          starts.mark();
        }
      }

      @Override
      public void afterTask(TaskRun run, TaskOutcome outcome) {
        finishes.mark();
      }
    };
    dispatcher = Dispatcher.start(config, registry, List.of(marker), Duration.ofSeconds(30));
    publisher = Publisher.builder().url(url).defaultChannel(CHANNEL).poolSize(2).build();
    transactions = DriverManager.getConnection(address.pgjdbcUrl(), address.user(), address.password());
    durable = DriverManager.getConnection(address.pgjdbcUrl(), address.user(), address.password());
    // the statements of the SQL API, as the publisher's durable enqueuer sends them
    enqueueMany = durable.prepareStatement("SELECT u FROM \"" + SCHEMA + "\".enqueue_many(?::jsonb) AS u");
    enqueueOne = durable.prepareStatement("SELECT \"" + SCHEMA + "\".enqueue(?, ?, ?::jsonb)");
  }

  private static DispatcherConfig.Durable prefetching(int prefetch) {
    DispatcherConfig.Durable d = DispatcherConfig.Durable.DEFAULT;
    return new DispatcherConfig.Durable(d.enabled(), d.pollInterval(), d.lease(), d.heartbeatInterval(), d.rescueInterval(), d.claimBatch(),
        d.completedRetention(), d.failedRetention(), d.cleanupInterval(), d.vacuumDeadRows(), prefetch);
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

  /**
   * Durable throughput: the batches (JSON arrays of task objects, built before the round) each
   * sent as one autocommit {@code enqueue_many} statement, one after another; the daemon claims the
   * rows (woken by the doorbell each batch rings), runs them and its completion writer marks them
   * completed. Timed from the first publish until the table shows every row completed: the bench
   * waits for the last task's end in process (the hook), then polls for the last completion
   * batch's commit (see {@link CompletionPoll}). The table is emptied before the round, once
   * nothing in it waits or runs, and every row is checked completed after it.
   */
  DurableRound durable(List<String> batches, int count) throws Exception {
    clearDurable();
    sequential = false;
    starts.arm(count);
    finishes.arm(count);
    long start = System.nanoTime();
    for (String batch : batches) {
      enqueueMany.setString(1, batch);
      enqueueMany.executeQuery().close(); // a row per uuid that went in
    }
    long published = System.nanoTime();
    Countdown.Arrivals started = awaitLastStart(count);
    Countdown.Arrivals finished;
    try {
      finished = finishes.awaitLast(START_TIMEOUT);
    } catch (TimeoutException e) {
      throw new TimeoutException("of " + count + " durable tasks, " + e.getMessage() + " (ends); daemon counters: "
          + dispatcher.metrics().summary());
    }
    CompletionPoll.Seen completed = completionPoll.until(this::nothingRunning, COMPLETION_POLL_INTERVAL, COMPLETION_TIMEOUT);
    checkAllCompleted(count);
    return DurableRound.of(count, start, published, started.lastNanos(), finished.lastNanos(), completed);
  }

  /**
   * Durable latency: one task at a time with {@code enqueue} (autocommit: the row, then the
   * doorbell at its commit), from just before the statement to the task's start.
   */
  Stopwatch durableLatency(int samples) throws Exception {
    clearDurable();
    sequential = true;
    sequentialStarts.clear();
    Stopwatch stopwatch = new Stopwatch(samples);
    enqueueOne.setString(1, DurablePayloads.TASK);
    enqueueOne.setString(2, CHANNEL);
    for (int i = 0; i < samples; i++) {
      long start = System.nanoTime();
      enqueueOne.setString(3, "[" + i + "]");
      enqueueOne.executeQuery().close();
      Long startedAt = sequentialStarts.poll(10, TimeUnit.SECONDS);
      if (startedAt == null) {
        throw new IllegalStateException("durable task did not start within 10 s; daemon counters: " + dispatcher.metrics().summary());
      }
      stopwatch.add(startedAt - start);
    }
    completionPoll.until(this::nothingRunning, Duration.ofMillis(20), COMPLETION_TIMEOUT);
    checkAllCompleted(samples);
    return stopwatch;
  }

  /** No row of the bench waits or runs: the partial indexes of the claim and of the leases answer it. */
  private boolean nothingRunning() throws SQLException {
    try (Statement statement = transactions.createStatement();
        ResultSet result = statement.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + TASKS + " WHERE state = 'running')"
            + " AND NOT EXISTS (SELECT 1 FROM " + TASKS + " WHERE channel = '" + CHANNEL + "'"
            + " AND state IN ('scheduled', 'available', 'retryable'))")) {
      result.next();
      return result.getBoolean(1);
    }
  }

  /** Every row of the round is completed (not failed, released or lost), and there are exactly {@code count}. */
  private void checkAllCompleted(int count) throws SQLException {
    try (Statement statement = transactions.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FILTER (WHERE state = 'completed'), count(*),"
            + " string_agg(DISTINCT state, ', '), count(*) FILTER (WHERE task = '" + DurablePayloads.TASK_WITH_RESULT + "'),"
            + " count(result) FROM " + TASKS)) {
      result.next();
      if (result.getLong(1) != count || result.getLong(2) != count) {
        throw new IllegalStateException("after a durable round of " + count + " tasks the table has " + result.getLong(2) + " rows, "
            + result.getLong(1) + " completed (states: " + result.getString(3) + "); daemon counters: " + dispatcher.metrics().summary());
      }
      if (result.getLong(4) != result.getLong(5)) {
        throw new IllegalStateException("after a durable round, " + result.getLong(5) + " of " + result.getLong(4)
            + " rows of a task with a result have one");
      }
    }
  }

  /**
   * Empties the task table between rounds, so that each round starts on a fresh table (no dead
   * rows left by the one before: autovacuum may be off). Only once nothing waits or runs: the
   * daemon then has nothing to write, and TRUNCATE would wait for a claim in progress anyway.
   */
  private void clearDurable() throws Exception {
    completionPoll.until(this::nothingRunning, Duration.ofMillis(20), COMPLETION_TIMEOUT);
    try (Statement statement = transactions.createStatement()) {
      statement.execute("TRUNCATE " + TASKS);
    }
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
    durable.close();
    transactions.close();
    publisher.close();
    dispatcher.close();
  }
}
