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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The dispatcher end to end: the publisher library sends, the daemon (in this JVM, so both ends
 * share one clock) receives, decodes, binds and starts the no-op task on a virtual thread. A hook
 * marks each task start.
 */
final class DispatcherBench implements AutoCloseable {

  static final String CHANNEL = "bench_dispatcher";

  private final Publisher publisher;
  private final Dispatcher dispatcher;
  private final AtomicReference<CountDownLatch> burst = new AtomicReference<>(new CountDownLatch(0));
  private final LinkedBlockingQueue<Long> starts = new LinkedBlockingQueue<>();
  private volatile boolean sequential;
  private double publishSeconds;

  DispatcherBench(String url, int workers) throws Exception {
    DatabaseUrl address = DatabaseUrl.parse(url);
    DispatcherConfig config = new DispatcherConfig(
        new DispatcherConfig.Database(address, null), List.of(CHANNEL), CHANNEL, "bench",
        new DispatcherConfig.Pool(workers, Duration.ofSeconds(5)),
        new DispatcherConfig.TaskSources(List.of(), List.of()), List.of(), List.of(), List.of());
    TaskRegistry registry = TaskRegistry.of(
        List.of(BenchTasks.class.getMethod("noop", long.class)), WireFormat.newObjectMapper());
    DispatcherHook marker = new DispatcherHook() {
      @Override
      public void beforeTask(TaskRun run) {
        long now = System.nanoTime();
        if (sequential) {
          starts.offer(now);
        } else {
          burst.get().countDown();
        }
      }
    };
    dispatcher = Dispatcher.start(config, registry, List.of(marker), Duration.ofSeconds(30));
    publisher = Publisher.builder().url(url).defaultChannel(CHANNEL).poolSize(2).build();
  }

  TaskRef1<Long> task() {
    return publisher.task(BenchTasks::noop);
  }

  /** Publishes {@code count} tasks in batches; tasks per second until the last one started. */
  double throughput(int count, int batchSize) throws InterruptedException {
    sequential = false;
    CountDownLatch all = new CountDownLatch(count);
    burst.set(all);
    long start = System.nanoTime();
    for (int from = 0; from < count; from += batchSize) {
      PublishBatch batch = publisher.batch();
      for (int i = from; i < Math.min(count, from + batchSize); i++) {
        batch.task(BenchTasks::noop).delay((long) i);
      }
      batch.send();
    }
    publishSeconds = (System.nanoTime() - start) / 1e9;
    if (!all.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException(all.getCount() + " task(s) did not start; daemon counters: " + dispatcher.metrics().summary());
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  /** One task at a time: publish, wait until it starts; returns publish-to-start latencies. */
  Stopwatch latency(int samples) throws InterruptedException {
    sequential = true;
    Stopwatch stopwatch = new Stopwatch(samples);
    TaskRef1<Long> task = task();
    for (int i = 0; i < samples; i++) {
      long start = System.nanoTime();
      task.delay((long) i);
      Long started = starts.poll(10, TimeUnit.SECONDS);
      if (started == null) {
        throw new IllegalStateException("task did not start within 10 s; daemon counters: " + dispatcher.metrics().summary());
      }
      stopwatch.add(started - start);
    }
    return stopwatch;
  }

  /** How long the last throughput run spent publishing (the rest of its time the daemon was catching up). */
  double lastPublishSeconds() {
    return publishSeconds;
  }

  Map<String, Long> dropped() {
    return dispatcher.metrics().droppedByReason();
  }

  @Override
  public void close() throws Exception {
    publisher.close();
    dispatcher.close();
  }
}
