package dev.dispatcher.service.metrics;

import dev.dispatcher.wire.ChunkAssembler;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the {@link DispatcherEvents} added up to, read-only: what the control replies, the shutdown
 * summary and tests show. Each read is live (the counts are not a snapshot taken at one instant).
 */
public interface EventCounts {

  /** Notifications received, on every channel. */
  long received();

  long dropped(DropReason reason);

  long started();

  long finished(OutcomeKind outcome);

  /** Runs that are stuck now. */
  int stuck();

  long listenerConnections();

  long listenerLosses();

  long selfChecks();

  long selfCheckFailures();

  /** The round trip of the last passed listener self-check, in nanoseconds; empty before the first. */
  OptionalLong lastSelfCheckNanos();

  /** The round trips of every passed self-check added up, in nanoseconds. */
  long selfCheckTotalNanos();

  /** The longest round trip of a passed self-check, in nanoseconds; empty before the first. */
  OptionalLong selfCheckMaxNanos();

  long chunks(ChunkAssembler.Result result);

  /** Chunk envelopes received (parts of chunked messages). */
  long chunksReceived();

  /** Control messages that reached the control plane. */
  long controlReceived();

  /** Tasks sent with the {@code run} control command and handed to the dispatch loop. */
  long runSubmitted();

  long controlRefused(Refusal reason);

  int controlHandlersActive();

  /** The most control handlers that ran at once since start. */
  int controlHandlersPeak();

  /** Drops by reason label, reasons never seen left out. */
  default SortedMap<String, Long> droppedByReason() {
    SortedMap<String, Long> result = new TreeMap<>();
    for (DropReason reason : DropReason.values()) {
      long count = dropped(reason);
      if (count > 0) {
        result.put(reason.label(), count);
      }
    }
    return result;
  }

  /** Control refusals by reason label, reasons never seen left out. */
  default SortedMap<String, Long> controlRefusedByReason() {
    SortedMap<String, Long> result = new TreeMap<>();
    for (Refusal reason : Refusal.values()) {
      long count = controlRefused(reason);
      if (count > 0) {
        result.put(reason.label(), count);
      }
    }
    return result;
  }

  /** Durable rows this node claimed. */
  long durableClaimed();

  /** Claim statements this node ran. */
  long durableClaims();

  /** Claim statements of this node that found nothing to take. */
  long durableEmptyClaims();

  /** Durable attempts that failed and wait for the next one. */
  long durableRetries();

  /** Durable tasks that failed for good. */
  long durableDeadLetters();

  /** Durable rows whose lease ran out, returned by this node's rescuer. */
  long durableLeaseExpiries();

  /** Durable outcomes written. */
  long durableCompletions();

  /** Durable outcomes refused by the fence: the row's lease was lost meanwhile. */
  long durableFenced();

  /** One line for the log: every count (the shutdown summary; tests and operators grep it). */
  default String summary() {
    return "received=" + received() + " started=" + started() + " succeeded=" + finished(OutcomeKind.SUCCEEDED)
        + " failed=" + finished(OutcomeKind.FAILED) + " timed_out=" + finished(OutcomeKind.TIMED_OUT)
        + " cancelled=" + finished(OutcomeKind.CANCELLED) + " stuck=" + stuck() + " dropped=" + droppedByReason()
        + " listener_connections=" + listenerConnections() + " listener_losses=" + listenerLosses()
        + " self_checks=" + selfChecks() + " self_check_failures=" + selfCheckFailures()
        + " chunks_completed=" + chunks(ChunkAssembler.Result.COMPLETED) + " chunks_expired=" + chunks(ChunkAssembler.Result.EXPIRED)
        + " chunks_invalid=" + chunks(ChunkAssembler.Result.INVALID) + " chunks_evicted=" + chunks(ChunkAssembler.Result.EVICTED_FOR_SPACE)
        + " durable_claimed=" + durableClaimed() + " durable_claims=" + durableClaims()
        + " durable_empty_claims=" + durableEmptyClaims() + " durable_retries=" + durableRetries() + " durable_dead_letters=" + durableDeadLetters()
        + " durable_lease_expiries=" + durableLeaseExpiries();
  }
}
