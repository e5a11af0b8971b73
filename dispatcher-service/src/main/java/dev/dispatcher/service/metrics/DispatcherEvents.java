package dev.dispatcher.service.metrics;

import dev.dispatcher.wire.ChunkAssembler;

/**
 * What the daemon's parts report as it happens; {@link DispatcherMetrics} counts it and exports it
 * to Prometheus. Every method may be called from any thread and must stay cheap: the dispatch
 * thread calls {@link #received} and {@link #dropped} for every message.
 */
public interface DispatcherEvents {

  /** A notification arrived on a channel (messages the daemon makes itself are not received). */
  void received(String channel);

  /** A message or task was dropped (and logged by the part that dropped it). */
  void dropped(DropReason reason);

  /** A task started running. */
  void started(String task);

  /**
   * A run ended.
   *
   * @param waitSeconds from publish to start, NaN when unknown (see {@link QueueWait})
   */
  void finished(String task, OutcomeKind outcome, long durationNanos, double waitSeconds);

  /** Queued, held or delayed work was cancelled before it ran: counted as finished cancelled, with no run. */
  void cancelledBeforeStart(String task);

  /** A run ignored its timeout's interrupt and keeps its slot. */
  void stuck(String task);

  /** A stuck run returned after all. */
  void unstuck(String task);

  /** The listener connected (first or again) and listens. */
  void listenerConnected();

  /** The listener's connection was lost (once per outage, however many attempts follow). */
  void listenerLost();

  /** A listener self-check came back, after {@code roundTripNanos}. */
  void selfCheckPassed(long roundTripNanos);

  /** A listener self-check did not come back in time. */
  void selfCheckFailed();

  /** Chunked messages completed, expired, invalid or evicted for space. */
  void chunks(ChunkAssembler.Result result, int messages);

  /** A chunk envelope arrived (one part of a chunked message, whatever becomes of it). */
  void chunkReceived();

  /** A control message reached the control plane (answered, refused or dropped after). */
  void controlReceived();

  /** A task sent with the {@code run} control command was handed to the dispatch loop. */
  void runSubmitted();

  /** A control message was refused or dropped. */
  void controlRefused(Refusal reason);

  /** A control handler started. */
  void controlHandlerStarted();

  /** A control handler ended. */
  void controlHandlerEnded();

  /** One claim statement of this node ran and took {@code rows} rows (0: an empty claim). */
  void durableClaimed(int rows);

  /** A batch of durable outcomes written in one transaction: {@code rows} of them, {@code fenced} refused (their lease was lost). */
  void durableCompletionBatch(int rows, int fenced);

  /** A durable attempt failed and the row waits for its next one. */
  void durableRetried();

  /** A durable task failed for good: the dead letter. */
  void durableDeadLettered();

  /** Rows whose lease ran out were returned by this node's rescuer (they run again, or failed on their last attempt). */
  void durableLeasesExpired(int rows);

  /** Status events published on the events channels. */
  void statusEventsSent(int events);

  /** Status events that were not published, and why. */
  void statusEventsDropped(EventDrop reason, int events);
}
