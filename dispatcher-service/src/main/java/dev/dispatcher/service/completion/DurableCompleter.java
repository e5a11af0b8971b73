package dev.dispatcher.service.completion;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.service.events.EventKind;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.pool.Completer;
import dev.dispatcher.service.pool.DurableClaim;
import dev.dispatcher.service.pool.Outcome;
import dev.dispatcher.service.pool.RunTransactions;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What happens after a durable run: the same report as a fire-and-forget run (counts, log line,
 * hooks), and its outcome for the task table, handed to the batched writer: completed with its
 * result; failed with its error, then retried after the {@link RetryPolicy}'s wait or, with no
 * attempt left, the dead letter; cancelled; or, when the run was cut short by this daemon's
 * shutdown, released for another node. Callbacks follow a success, errbacks only the last failure.
 */
public final class DurableCompleter implements Completer {

  static final int MAX_ERROR_CHARS = 2000;
  static final int MAX_STACK_FRAMES = 20;

  /** Completes a row inside the task's own transaction; false when the lease was lost. */
  @FunctionalInterface
  public interface CompletionInTransaction {
    boolean complete(Connection transaction, Completion.Completed completion) throws SQLException;
  }

  private final FireAndForgetCompleter report;
  private final CompletionInTransaction inTransaction;
  private final RetryPolicy retries;
  private final Consumer<Completion> writer;
  private final BooleanSupplier stopping;
  private final DispatcherEvents events;
  private final ObjectMapper mapper;
  private final String nodeId;
  private final Clock clock;
  private final ResultLimit results;

  /**
   * @param report counts, logs, calls the hooks and submits follow-ups, as for fire-and-forget runs
   * @param writer takes each outcome to the table (batched)
   * @param stopping true once the daemon stops: a run cancelled then was cut short, not cancelled by anyone
   */
  public DurableCompleter(FireAndForgetCompleter report, Consumer<Completion> writer, CompletionInTransaction inTransaction,
      BooleanSupplier stopping, DispatcherEvents events, ObjectMapper mapper, String nodeId) {
    this(report, writer, inTransaction, stopping, events, mapper, nodeId, new ResultLimit(mapper, ResultLimit.DEFAULT_KIB));
  }

  /** @param results what of a result the row keeps ({@code durable.max_result_kib}) */
  public DurableCompleter(FireAndForgetCompleter report, Consumer<Completion> writer, CompletionInTransaction inTransaction,
      BooleanSupplier stopping, DispatcherEvents events, ObjectMapper mapper, String nodeId, ResultLimit results) {
    this(report, new RetryPolicy(Math::random), writer, inTransaction, stopping, events, mapper, nodeId, Clock.systemUTC(), results);
  }

  DurableCompleter(FireAndForgetCompleter report, RetryPolicy retries, Consumer<Completion> writer, CompletionInTransaction inTransaction,
      BooleanSupplier stopping, DispatcherEvents events, ObjectMapper mapper, String nodeId, Clock clock) {
    this(report, retries, writer, inTransaction, stopping, events, mapper, nodeId, clock, new ResultLimit(mapper, ResultLimit.DEFAULT_KIB));
  }

  DurableCompleter(FireAndForgetCompleter report, RetryPolicy retries, Consumer<Completion> writer, CompletionInTransaction inTransaction,
      BooleanSupplier stopping, DispatcherEvents events, ObjectMapper mapper, String nodeId, Clock clock, ResultLimit results) {
    this.results = results;
    this.report = report;
    this.inTransaction = inTransaction;
    this.retries = retries;
    this.writer = writer;
    this.stopping = stopping;
    this.events = events;
    this.mapper = mapper;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  @Override
  public void completed(Work work, TaskRun run, Outcome outcome, Duration duration) {
    DurableClaim claim = work.claim();
    long id = claim.rowId();
    int attempt = claim.attempt();
    String attempts = " (attempt " + attempt + " of " + claim.maxAttempts() + ")";
    Connection transaction = work.state().transaction();
    if (transaction != null && !(outcome instanceof Outcome.Succeeded)) {
      RunTransactions.rollbackAndClose(transaction);
    }
    switch (outcome) {
      case Outcome.Succeeded succeeded -> {
        ResultLimit.Kept kept = results.of(succeeded.result());
        Completion.Completed completion = new Completion.Completed(id, attempt, kept.json(), kept.bytes(), kept.omitted());
        if (transaction == null) {
          writer.accept(completion);
        } else if (!completeInTransaction(work, run, duration, transaction, completion)) {
          return;
        }
        report.report(work, run, outcome, duration, attempts);
        report.publish(work, run, EventKind.SUCCEEDED, null, null);
        report.followUpsAfter(work.message(), outcome);
      }
      case Outcome.Cancelled cancelled -> {
        boolean cutShort = stopping.getAsBoolean();
        writer.accept(cutShort ? new Completion.Released(id, attempt, nodeId) : new Completion.Cancelled(id, attempt));
        report.report(work, run, outcome, duration, cutShort ? " by the shutdown; released for another node" : attempts);
        if (!cutShort) { // a released run is not an end: its next start (on any node) is published as started
          report.publish(work, run, EventKind.CANCELLED, null, null);
        }
      }
      case Outcome.Failed failed -> failed(work, run, outcome, duration, failed.error(), "failed");
      case Outcome.TimedOut timedOut -> failed(work, run, outcome, duration, timedOut.error(), "timed_out");
    }
  }

  /**
   * The task's writes and its completion, in one commit. False when the run is not completed after
   * all: its lease was lost (both rolled back; another node may run it), or the commit failed (then
   * it is a failed attempt, retried like any other).
   */
  private boolean completeInTransaction(Work work, TaskRun run, Duration duration, Connection transaction, Completion.Completed completion) {
    try {
      if (!inTransaction.complete(transaction, completion)) {
        RunTransactions.rollbackAndClose(transaction);
        report.report(work, run, new Outcome.Cancelled(), duration, ": its lease was lost, so its transaction was rolled back"
            + " (another node may run it)");
        return false;
      }
      transaction.commit();
      RunTransactions.close(transaction);
      return true;
    } catch (SQLException e) {
      RunTransactions.rollbackAndClose(transaction);
      failed(work, run, new Outcome.Failed(e), duration, e, "failed");
      return false;
    }
  }

  private void failed(Work work, TaskRun run, Outcome outcome, Duration duration, Throwable error, String kind) {
    DurableClaim claim = work.claim();
    Instant now = clock.instant();
    String errorJson = errorJson(claim, error, kind, now);
    Duration wait = retries.nextDelay(claim, error);
    String attempts = " (attempt " + claim.attempt() + " of " + claim.maxAttempts();
    if (wait != null) {
      writer.accept(new Completion.Retry(claim.rowId(), claim.attempt(), now.plus(wait), errorJson));
      events.durableRetried();
      report.report(work, run, outcome, duration, attempts + "; next in " + FireAndForgetCompleter.millis(wait.toNanos()) + " ms)");
      report.publish(work, run, EventKind.RETRYING, ErrorEntry.text(error, kind), now.plus(wait));
    } else {
      writer.accept(new Completion.Failed(claim.rowId(), claim.attempt(), errorJson));
      events.durableDeadLettered();
      report.report(work, run, outcome, duration, attempts + "; failed for good: "
          + (claim.lastAttempt() ? "no attempt left" : "the task said not to retry") + ")");
      report.publish(work, run, EventKind.DEAD, ErrorEntry.text(error, kind), null);
      report.followUpsAfter(work.message(), outcome);
    }
  }

  /** One entry of the row's errors: when, which attempt, where, what, and the top of the stack. */
  private String errorJson(DurableClaim claim, Throwable error, String kind, Instant at) {
    return ErrorEntry.json(mapper, at, claim.attempt(), nodeId, kind, error);
  }
}
