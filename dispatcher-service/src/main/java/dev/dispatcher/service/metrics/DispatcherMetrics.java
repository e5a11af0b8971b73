package dev.dispatcher.service.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The daemon's counters. Cheap to bump from any thread; read for the shutdown summary and by
 * tests. (Prometheus export is a later step; these are its sources.)
 */
public final class DispatcherMetrics {

  public final LongAdder received = new LongAdder();
  public final LongAdder started = new LongAdder();
  public final LongAdder succeeded = new LongAdder();
  public final LongAdder failed = new LongAdder();
  public final LongAdder timedOut = new LongAdder();
  public final LongAdder cancelled = new LongAdder();
  /** Runs that ignored their timeout's interrupt and still hold their slot. */
  public final java.util.concurrent.atomic.AtomicInteger stuckNow = new java.util.concurrent.atomic.AtomicInteger();
  public final LongAdder stuckTotal = new LongAdder();
  public final LongAdder listenerConnections = new LongAdder();
  public final LongAdder listenerLosses = new LongAdder();
  public final LongAdder selfChecks = new LongAdder();
  public final LongAdder selfCheckFailures = new LongAdder();
  /** Round trip of the last successful listener self-check, in nanoseconds. */
  public final java.util.concurrent.atomic.AtomicLong lastSelfCheckNanos = new java.util.concurrent.atomic.AtomicLong(-1);
  private final ConcurrentHashMap<String, LongAdder> dropped = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> receivedByChannel = new ConcurrentHashMap<>();
  private final PrometheusMetrics prometheus = new PrometheusMetrics(this);

  /** The Prometheus view of these counters (and the per-task histograms). */
  public PrometheusMetrics prometheus() {
    return prometheus;
  }

  /** One message arrived on a channel. */
  public void receivedOn(String channel) {
    received.increment();
    LongAdder counter = receivedByChannel.get(channel); // the hot path: a plain read once the channel is known
    if (counter == null) {
      counter = receivedByChannel.computeIfAbsent(channel, c -> {
        LongAdder adder = new LongAdder();
        prometheus.counter("dispatcher_messages_received", "Messages received, by channel", "channel", c, adder);
        return adder;
      });
    }
    counter.increment();
  }

  public void dropped(String reason) {
    dropped.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  public long droppedCount(String reason) {
    LongAdder counter = dropped.get(reason);
    return counter == null ? 0 : counter.sum();
  }

  public Map<String, Long> droppedByReason() {
    Map<String, Long> result = new TreeMap<>();
    dropped.forEach((reason, counter) -> result.put(reason, counter.sum()));
    return result;
  }

  /** One line for the log: every counter. */
  public String summary() {
    return "received=" + received.sum() + " started=" + started.sum() + " succeeded=" + succeeded.sum()
        + " failed=" + failed.sum() + " timed_out=" + timedOut.sum() + " cancelled=" + cancelled.sum()
        + " stuck=" + stuckNow.get() + " dropped=" + droppedByReason()
        + " listener_connections=" + listenerConnections.sum() + " listener_losses=" + listenerLosses.sum()
        + " self_checks=" + selfChecks.sum() + " self_check_failures=" + selfCheckFailures.sum();
  }
}
