package dev.dispatcher.service.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The daemon's counters as Prometheus meters. Counters and gauges read the live values the daemon
 * keeps anyway (no second bookkeeping on the hot path); only the per-task duration and queue-wait
 * histograms are recorded here.
 */
public final class PrometheusMetrics {

  /** Drop reasons known in advance, so their series exist (at 0) before the first drop. */
  public static final List<String> DROP_REASONS = List.of("bad_payload", "bad_chunk", "unknown_task", "bad_arguments", "duplicate",
      "shutting_down", "internal_error", "bad_followup");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> waits = new ConcurrentHashMap<>();

  PrometheusMetrics(DispatcherMetrics metrics) {
    counter("dispatcher_tasks_started", "Tasks started", metrics.started);
    finished(metrics.succeeded, "succeeded");
    finished(metrics.failed, "failed");
    finished(metrics.timedOut, "timed_out");
    finished(metrics.cancelled, "cancelled");
    DROP_REASONS.forEach(reason -> FunctionCounter.builder("dispatcher_messages_dropped", metrics, m -> m.droppedCount(reason))
        .description("Messages dropped, by reason").tag("reason", reason).register(registry));
    counter("dispatcher_listener_connections", "LISTEN connections made", metrics.listenerConnections);
    counter("dispatcher_listener_losses", "LISTEN connections lost", metrics.listenerLosses);
    counter("dispatcher_listener_self_checks", "Listener self-checks passed", metrics.selfChecks);
    counter("dispatcher_listener_self_check_failures", "Listener self-checks failed", metrics.selfCheckFailures);
    gauge("dispatcher_listener_self_check_seconds", "Round trip of the last passed listener self-check", metrics,
        m -> m.lastSelfCheckNanos.get() < 0 ? Double.NaN : m.lastSelfCheckNanos.get() / 1e9);
    gauge("dispatcher_tasks_stuck", "Running tasks that ignored their timeout's interrupt", metrics, m -> m.stuckNow.get());
  }

  private void counter(String name, String description, LongAdder adder) {
    FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
  }

  private void finished(LongAdder adder, String outcome) {
    FunctionCounter.builder("dispatcher_tasks_finished", adder, LongAdder::sum)
        .description("Tasks finished, by outcome").tag("outcome", outcome).register(registry);
  }

  /** A gauge over a live value. */
  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(description).register(registry);
  }

  /**
   * A counter over a live adder with one tag (e.g. messages received by channel). Micrometer holds
   * a function counter's state object weakly, so the state must be the adder the daemon keeps, not
   * a lambda or method reference that nothing else holds (it would be collected and read as 0).
   */
  public void counter(String name, String description, String tag, String tagValue, LongAdder value) {
    FunctionCounter.builder(name, value, LongAdder::sum).description(description).tag(tag, tagValue).register(registry);
  }

  /** Records one run: its duration, and its wait from publish to start (NaN when unknown). */
  public void recordRun(String task, long durationNanos, double waitSeconds) {
    timer(durations, task, "dispatcher_task_duration", "Task run time, by task").record(durationNanos, TimeUnit.NANOSECONDS);
    if (!Double.isNaN(waitSeconds) && waitSeconds >= 0) {
      timer(waits, task, "dispatcher_task_queue_wait", "Publish to start, by task")
          .record((long) (waitSeconds * 1e9), TimeUnit.NANOSECONDS);
    }
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
