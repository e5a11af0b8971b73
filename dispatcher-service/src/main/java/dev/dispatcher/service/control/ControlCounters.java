package dev.dispatcher.service.control;

import dev.dispatcher.service.metrics.PrometheusMetrics;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the control plane counts: refused messages by reason, and handlers in use (now and at
 * most). Exported as {@code dispatcher_control_refused_total{reason}},
 * {@code dispatcher_control_handlers_active} and {@code dispatcher_control_handlers_peak}.
 */
public final class ControlCounters {

  private final Map<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();

  public ControlCounters() {
    for (Refusal reason : Refusal.values()) {
      refused.put(reason, new LongAdder());
    }
  }

  /** Registers the meters (every reason's series exists from the start, at 0). */
  public void register(PrometheusMetrics prometheus) {
    refused.forEach((reason, adder) -> prometheus.counter("dispatcher_control_refused",
        "Control messages refused or dropped, by reason", "reason", reason.label(), adder));
    prometheus.gauge("dispatcher_control_handlers_active", "Control commands being handled now", active, AtomicInteger::get);
    prometheus.gauge("dispatcher_control_handlers_peak", "Most control commands handled at once since start", peak, AtomicInteger::get);
  }

  void refused(Refusal reason) {
    refused.get(reason).increment();
  }

  /** Refusals by reason label, zeros left out. */
  public Map<String, Long> refusedByReason() {
    Map<String, Long> result = new TreeMap<>();
    refused.forEach((reason, adder) -> {
      long count = adder.sum();
      if (count > 0) {
        result.put(reason.label(), count);
      }
    });
    return result;
  }

  void handlerStarted() {
    peak.accumulateAndGet(active.incrementAndGet(), Math::max);
  }

  void handlerEnded() {
    active.decrementAndGet();
  }

  public int activeHandlers() {
    return active.get();
  }

  public int peakHandlers() {
    return peak.get();
  }
}
