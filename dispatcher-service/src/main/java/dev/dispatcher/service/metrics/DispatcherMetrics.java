package dev.dispatcher.service.metrics;

import dev.dispatcher.wire.ChunkAssembler;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The daemon's events, counted and exported: each event bumps one adder (or gauge value), which the
 * Prometheus meters read when scraped (no second bookkeeping on the hot path), and which
 * {@link #counts()} reads for the control replies and the shutdown summary. Only runs are
 * recorded further, in the per-task histograms ({@link PrometheusMetrics#recordRun}).
 *
 * <p>Micrometer holds a function counter's or gauge's state object weakly: every state registered
 * here is a field of this object (or a value of its map), which the daemon's parts hold for as
 * long as it runs, never a lambda or value that nothing else holds (it would be collected and
 * read as 0).
 */
public final class DispatcherMetrics implements DispatcherEvents {

  private final PrometheusMetrics prometheus = new PrometheusMetrics();
  private final ConcurrentHashMap<String, LongAdder> receivedByChannel = new ConcurrentHashMap<>();
  private final LongAdder[] dropped = adders(DropReason.values().length);
  private final LongAdder started = new LongAdder();
  private final LongAdder[] finished = adders(OutcomeKind.values().length);
  private final AtomicInteger stuck = new AtomicInteger();
  private final LongAdder listenerConnections = new LongAdder();
  private final LongAdder listenerLosses = new LongAdder();
  private final LongAdder selfChecks = new LongAdder();
  private final LongAdder selfCheckFailures = new LongAdder();
  /** Nanoseconds; -1 before the first passed check. */
  private final AtomicLong lastSelfCheckNanos = new AtomicLong(-1);
  private final LongAdder selfCheckTotalNanos = new LongAdder();
  /** Nanoseconds; -1 before the first passed check. */
  private final AtomicLong selfCheckMaxNanos = new AtomicLong(-1);
  private final LongAdder chunksReceived = new LongAdder();
  private final LongAdder controlReceived = new LongAdder();
  private final LongAdder runSubmitted = new LongAdder();
  private final LongAdder[] chunks = adders(ChunkAssembler.Result.values().length);
  private final LongAdder[] controlRefused = adders(Refusal.values().length);
  private final AtomicInteger controlHandlersActive = new AtomicInteger();
  private final AtomicInteger controlHandlersPeak = new AtomicInteger();
  private final LongAdder durableClaimed = new LongAdder();
  private final LongAdder durableClaims = new LongAdder();
  private final LongAdder durableEmptyClaims = new LongAdder();
  private final LongAdder durableCompletionBatches = new LongAdder();
  private final LongAdder durableCompletions = new LongAdder();
  private final LongAdder durableFenced = new LongAdder();
  private final LongAdder statusEventsSent = new LongAdder();
  private final LongAdder[] statusEventsDropped = adders(EventDrop.values().length);
  private final LongAdder durableRetries = new LongAdder();
  private final LongAdder durableDeadLetters = new LongAdder();
  private final LongAdder durableLeaseExpiries = new LongAdder();
  private final EventCounts counts = new Counts();
  private final boolean taskHistograms;

  /** With the per-task histograms recorded. */
  public DispatcherMetrics() {
    this(true);
  }

  /**
   * Registers every meter; each labelled series exists (at 0) from the start, but those by channel and by task.
   *
   * @param taskHistograms whether runs are recorded in the per-task duration and queue-wait
   *     histograms: the costliest recording on a task's path, useless when nothing scrapes them
   */
  public DispatcherMetrics(boolean taskHistograms) {
    this.taskHistograms = taskHistograms;
    prometheus.counter("dispatcher_tasks_started", "Tasks started", started);
    for (OutcomeKind outcome : OutcomeKind.values()) {
      prometheus.counter("dispatcher_tasks_finished", "Tasks finished, by outcome", "outcome", outcome.label(),
          finished[outcome.ordinal()]);
    }
    for (DropReason reason : DropReason.values()) {
      prometheus.counter("dispatcher_messages_dropped", "Messages dropped, by reason", "reason", reason.label(), dropped[reason.ordinal()]);
    }
    prometheus.gauge("dispatcher_tasks_stuck", "Running tasks that ignored their timeout's interrupt", stuck, AtomicInteger::get);
    prometheus.counter("dispatcher_listener_connections", "LISTEN connections made", listenerConnections);
    prometheus.counter("dispatcher_listener_losses", "LISTEN connections lost", listenerLosses);
    prometheus.counter("dispatcher_listener_self_checks", "Listener self-checks passed", selfChecks);
    prometheus.counter("dispatcher_listener_self_check_failures", "Listener self-checks failed", selfCheckFailures);
    prometheus.gauge("dispatcher_listener_self_check_seconds", "Round trip of the last passed listener self-check", lastSelfCheckNanos,
        nanos -> nanos.get() < 0 ? Double.NaN : nanos.get() / 1e9);
    for (ChunkAssembler.Result result : ChunkAssembler.Result.values()) {
      prometheus.counter("dispatcher_chunked_messages", "Chunked messages, by result", "result", label(result), chunks[result.ordinal()]);
    }
    for (Refusal reason : Refusal.values()) {
      prometheus.counter("dispatcher_control_refused", "Control messages refused or dropped, by reason", "reason", reason.label(),
          controlRefused[reason.ordinal()]);
    }
    prometheus.gauge("dispatcher_control_handlers_active", "Control commands being handled now", controlHandlersActive, AtomicInteger::get);
    prometheus.counter("dispatcher_durable_claimed", "Durable rows claimed by this node", durableClaimed);
    prometheus.counter("dispatcher_durable_claims", "Claim statements run by this node", durableClaims);
    prometheus.counter("dispatcher_durable_claims_empty", "Claim statements of this node that found nothing to take", durableEmptyClaims);
    prometheus.counter("dispatcher_durable_completion_batches", "Batches of durable outcomes written", durableCompletionBatches);
    prometheus.counter("dispatcher_durable_completions", "Durable outcomes written", durableCompletions);
    prometheus.counter("dispatcher_durable_completions_fenced", "Durable outcomes refused: the row's lease was lost meanwhile", durableFenced);
    prometheus.counter("dispatcher_durable_retries", "Durable attempts that failed and wait for the next one", durableRetries);
    prometheus.counter("dispatcher_durable_dead_letters", "Durable tasks failed for good", durableDeadLetters);
    prometheus.counter("dispatcher_durable_lease_expiries", "Durable rows whose lease ran out, returned by this node", durableLeaseExpiries);
    prometheus.counter("dispatcher_status_events_sent", "Status events published on the events channels", statusEventsSent);
    for (EventDrop reason : EventDrop.values()) {
      prometheus.counter("dispatcher_status_events_dropped", "Status events not published, by reason", "reason", reason.label(),
          statusEventsDropped[reason.ordinal()]);
    }
    prometheus.gauge("dispatcher_control_handlers_peak", "Most control commands handled at once since start", controlHandlersPeak,
        AtomicInteger::get);
  }

  /** What the events added up to, read-only: for the control replies, the shutdown summary and tests. */
  public EventCounts counts() {
    return counts;
  }

  /** The Prometheus registry these counts are exported by (and the daemon's gauges of its parts). */
  public PrometheusMetrics prometheus() {
    return prometheus;
  }

  @Override
  public void received(String channel) {
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

  @Override
  public void dropped(DropReason reason) {
    dropped[reason.ordinal()].increment();
  }

  @Override
  public void started(String task) {
    started.increment();
  }

  @Override
  public void finished(String task, OutcomeKind outcome, long durationNanos, double waitSeconds) {
    finished[outcome.ordinal()].increment();
    if (taskHistograms) {
      prometheus.recordRun(task, durationNanos, waitSeconds);
    }
  }

  @Override
  public void cancelledBeforeStart(String task) {
    finished[OutcomeKind.CANCELLED.ordinal()].increment();
  }

  @Override
  public void stuck(String task) {
    stuck.incrementAndGet();
  }

  @Override
  public void unstuck(String task) {
    stuck.decrementAndGet();
  }

  @Override
  public void listenerConnected() {
    listenerConnections.increment();
  }

  @Override
  public void listenerLost() {
    listenerLosses.increment();
  }

  @Override
  public void selfCheckPassed(long roundTripNanos) {
    lastSelfCheckNanos.set(roundTripNanos); // before the count: whoever sees a passed check sees its round trip
    selfCheckTotalNanos.add(roundTripNanos);
    selfCheckMaxNanos.accumulateAndGet(roundTripNanos, Math::max);
    selfChecks.increment();
  }

  @Override
  public void selfCheckFailed() {
    selfCheckFailures.increment();
  }

  @Override
  public void chunks(ChunkAssembler.Result result, int messages) {
    chunks[result.ordinal()].add(messages);
  }

  @Override
  public void chunkReceived() {
    chunksReceived.increment();
  }

  @Override
  public void controlReceived() {
    controlReceived.increment();
  }

  @Override
  public void runSubmitted() {
    runSubmitted.increment();
  }

  @Override
  public void controlRefused(Refusal reason) {
    controlRefused[reason.ordinal()].increment();
  }

  @Override
  public void controlHandlerStarted() {
    controlHandlersPeak.accumulateAndGet(controlHandlersActive.incrementAndGet(), Math::max);
  }

  @Override
  public void controlHandlerEnded() {
    controlHandlersActive.decrementAndGet();
  }

  @Override
  public void durableClaimed(int rows) {
    durableClaims.increment();
    if (rows == 0) {
      durableEmptyClaims.increment();
    }
    durableClaimed.add(rows);
  }

  @Override
  public void durableCompletionBatch(int rows, int fenced) {
    durableCompletionBatches.increment();
    durableCompletions.add(rows);
    durableFenced.add(fenced);
  }

  @Override
  public void durableRetried() {
    durableRetries.increment();
  }

  @Override
  public void durableDeadLettered() {
    durableDeadLetters.increment();
  }

  @Override
  public void durableLeasesExpired(int rows) {
    durableLeaseExpiries.add(rows);
  }

  @Override
  public void statusEventsSent(int events) {
    statusEventsSent.add(events);
  }

  @Override
  public void statusEventsDropped(EventDrop reason, int events) {
    statusEventsDropped[reason.ordinal()].add(events);
  }

  /** The read-only view: reads the same adders. */
  private final class Counts implements EventCounts {

    @Override
    public long durableClaimed() {
      return durableClaimed.sum();
    }

    @Override
    public long durableClaims() {
      return durableClaims.sum();
    }

    @Override
    public long durableEmptyClaims() {
      return durableEmptyClaims.sum();
    }

    @Override
    public long durableRetries() {
      return durableRetries.sum();
    }

    @Override
    public long durableDeadLetters() {
      return durableDeadLetters.sum();
    }

    @Override
    public long durableLeaseExpiries() {
      return durableLeaseExpiries.sum();
    }

    @Override
    public long durableCompletions() {
      return durableCompletions.sum();
    }

    @Override
    public long durableFenced() {
      return durableFenced.sum();
    }

    @Override
    public long received() {
      long sum = 0;
      for (LongAdder counter : receivedByChannel.values()) {
        sum += counter.sum();
      }
      return sum;
    }

    @Override
    public long dropped(DropReason reason) {
      return dropped[reason.ordinal()].sum();
    }

    @Override
    public long started() {
      return started.sum();
    }

    @Override
    public long finished(OutcomeKind outcome) {
      return finished[outcome.ordinal()].sum();
    }

    @Override
    public int stuck() {
      return stuck.get();
    }

    @Override
    public long listenerConnections() {
      return listenerConnections.sum();
    }

    @Override
    public long listenerLosses() {
      return listenerLosses.sum();
    }

    @Override
    public long selfChecks() {
      return selfChecks.sum();
    }

    @Override
    public long selfCheckFailures() {
      return selfCheckFailures.sum();
    }

    @Override
    public OptionalLong lastSelfCheckNanos() {
      long nanos = lastSelfCheckNanos.get();
      return nanos < 0 ? OptionalLong.empty() : OptionalLong.of(nanos);
    }

    @Override
    public long selfCheckTotalNanos() {
      return selfCheckTotalNanos.sum();
    }

    @Override
    public OptionalLong selfCheckMaxNanos() {
      long nanos = selfCheckMaxNanos.get();
      return nanos < 0 ? OptionalLong.empty() : OptionalLong.of(nanos);
    }

    @Override
    public long chunks(ChunkAssembler.Result result) {
      return chunks[result.ordinal()].sum();
    }

    @Override
    public long chunksReceived() {
      return chunksReceived.sum();
    }

    @Override
    public long controlReceived() {
      return controlReceived.sum();
    }

    @Override
    public long runSubmitted() {
      return runSubmitted.sum();
    }

    @Override
    public long controlRefused(Refusal reason) {
      return controlRefused[reason.ordinal()].sum();
    }

    @Override
    public int controlHandlersActive() {
      return controlHandlersActive.get();
    }

    @Override
    public int controlHandlersPeak() {
      return controlHandlersPeak.get();
    }
  }

  /** The {@code result} label of {@code dispatcher_chunked_messages_total}. */
  private static String label(ChunkAssembler.Result result) {
    return switch (result) {
      case COMPLETED -> "completed";
      case EXPIRED -> "expired";
      case INVALID -> "invalid";
      case EVICTED_FOR_SPACE -> "evicted";
    };
  }

  private static LongAdder[] adders(int count) {
    LongAdder[] adders = new LongAdder[count];
    for (int i = 0; i < count; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }
}
