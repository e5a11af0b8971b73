package dev.dispatcher.service.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.PercentileHistogramBuckets;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * The Prometheus registry behind {@link DispatcherMetrics}. Counters and gauges read the live values
 * the daemon keeps anyway (no second bookkeeping on the hot path); only the per-task duration and
 * queue-wait histograms are recorded here.
 */
public final class PrometheusMetrics {

  private static final String QUEUE_WAIT_HELP = "Publish to start, by task";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, QueueWaitSeries> waits = new ConcurrentHashMap<>();
  private final Histogram queueWaits = Histogram.builder().name("dispatcher_task_queue_wait_seconds").help(QUEUE_WAIT_HELP)
      .labelNames("task").classicUpperBounds(timerBucketsInSeconds()).classicOnly().withoutExemplars()
      .register(registry.getPrometheusRegistry());

  PrometheusMetrics() {}

  /**
   * A gauge over a live value. Micrometer holds the source weakly: it must be an object the daemon
   * keeps (a part, or a field of one), not a lambda or value that nothing else holds.
   */
  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(description).register(registry);
  }

  /** A gauge with one tag over a live value (the source held as {@link #gauge} says). */
  public <T> void gauge(String name, String description, String tag, String tagValue, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(description).tag(tag, tagValue).register(registry);
  }

  /** A counter over a live adder the caller keeps (Micrometer holds it weakly, see {@link #gauge}). */
  void counter(String name, String description, LongAdder value) {
    FunctionCounter.builder(name, value, LongAdder::sum).description(description).register(registry);
  }

  /**
   * A counter over a live adder with one tag (e.g. messages received by channel). Micrometer holds
   * a function counter's state object weakly, so the state must be the adder the daemon keeps, not
   * a lambda or method reference that nothing else holds (it would be collected and read as 0).
   */
  void counter(String name, String description, String tag, String tagValue, LongAdder value) {
    FunctionCounter.builder(name, value, LongAdder::sum).description(description).tag(tag, tagValue).register(registry);
  }

  /**
   * Records one run: its duration, and its wait from publish to start (NaN when unknown or
   * implausible, see {@link QueueWait}; a wait outside 0 to {@link QueueWait#MAX_WAIT} is not
   * recorded either).
   */
  void recordRun(String task, long durationNanos, double waitSeconds) {
    timer(durations, task, "dispatcher_task_duration", "Task run time, by task").record(durationNanos, TimeUnit.NANOSECONDS);
    if (waitSeconds >= 0 && waitSeconds <= QueueWait.MAX_WAIT.toSeconds()) { // false for NaN
      queueWait(task).record(waitSeconds);
    }
  }

  /**
   * The task's queue-wait series. The wait comes from a number on the wire, so this is not a
   * Micrometer Timer: a Timer sums whole nanoseconds in a long, which one absurd wait, or a few
   * thousand of {@link QueueWait#MAX_WAIT}, overflow to a negative sum for the life of the process.
   * It is a Prometheus client histogram (a double sum) with a Timer's buckets and, as a Timer has,
   * a {@code _max} gauge over Micrometer's rolling window, so the series look like the duration's.
   */
  private QueueWaitSeries queueWait(String task) {
    QueueWaitSeries series = waits.get(task);
    return series != null ? series : waits.computeIfAbsent(task, t -> {
      TimeWindowMax max = new TimeWindowMax(Clock.SYSTEM, DistributionStatisticConfig.DEFAULT);
      Gauge.builder("dispatcher_task_queue_wait_seconds_max", max, TimeWindowMax::poll).description(QUEUE_WAIT_HELP).tag("task", t)
          .register(registry);
      return new QueueWaitSeries(queueWaits.labelValues(t), max);
    });
  }

  private record QueueWaitSeries(DistributionDataPoint histogram, TimeWindowMax max) {
    void record(double seconds) {
      histogram.observe(seconds);
      max.record(seconds);
    }
  }

  /** The bucket bounds of a Timer with a percentile histogram (Micrometer's default range, 1 ms to 30 s), in seconds. */
  private static double[] timerBucketsInSeconds() {
    double min = Duration.ofMillis(1).toNanos();
    double max = Duration.ofSeconds(30).toNanos();
    DistributionStatisticConfig timer = DistributionStatisticConfig.builder().percentilesHistogram(true)
        .minimumExpectedValue(min).maximumExpectedValue(max).build();
    return Stream.concat(PercentileHistogramBuckets.buckets(timer).stream(), Stream.of(min, max))
        .mapToDouble(nanos -> nanos / 1e9).sorted().distinct().toArray();
  }

  /** The task's timer: a plain read on the hot path, registered on first use. */
  private Timer timer(ConcurrentHashMap<String, Timer> timers, String task, String name, String description) {
    Timer timer = timers.get(task);
    return timer != null ? timer : timers.computeIfAbsent(task, t ->
        Timer.builder(name).description(description).tag("task", t).publishPercentileHistogram().register(registry));
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
