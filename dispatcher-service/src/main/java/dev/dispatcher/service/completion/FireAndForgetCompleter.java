package dev.dispatcher.service.completion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.events.EventKind;
import dev.dispatcher.service.events.StatusEvent;
import dev.dispatcher.service.events.StatusEvents;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.hooks.TaskOutcome;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.BadMessageException;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.metrics.QueueWait;
import dev.dispatcher.service.pool.Completer;
import dev.dispatcher.service.pool.DurableClaim;
import dev.dispatcher.service.pool.Outcome;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens after a fire-and-forget run: one log line with the uuid, outcome, duration and
 * wait; the counters and histograms; the hooks' {@code afterTask}; then the message's callbacks
 * (after success) or errbacks (after failure or timeout), read with the limits of messages from
 * the wire and handed to the intake like any other task the daemon makes itself.
 */
public final class FireAndForgetCompleter implements Completer {

  private static final Logger log = LoggerFactory.getLogger("dev.dispatcher.task");

  private final Hooks hooks;
  private final DispatcherEvents events;
  private final TaskMessageReader followUpReader;
  private final Consumer<TaskMessage> followUps;
  private final StatusEvents statusEvents;

  /**
   * @param followUpReader reads callbacks and errbacks, with the limits of messages from the wire: they came from it
   * @param followUps where follow-up tasks go (the dispatch loop's backlog)
   */
  public FireAndForgetCompleter(Hooks hooks, DispatcherEvents events, TaskMessageReader followUpReader, Consumer<TaskMessage> followUps) {
    this(hooks, events, followUpReader, followUps, StatusEvents.NONE);
  }

  /** @param statusEvents where each run's end is published (the durable completer's too) */
  public FireAndForgetCompleter(Hooks hooks, DispatcherEvents events, TaskMessageReader followUpReader, Consumer<TaskMessage> followUps,
      StatusEvents statusEvents) {
    this.statusEvents = statusEvents;
    this.hooks = hooks;
    this.events = events;
    this.followUpReader = followUpReader;
    this.followUps = followUps;
  }

  @Override
  public void completed(Work work, TaskRun run, Outcome outcome, Duration duration) {
    report(work, run, outcome, duration, "");
    switch (outcome) {
      case Outcome.Succeeded succeeded -> publish(work, run, EventKind.SUCCEEDED, null, null);
      case Outcome.Failed failed -> publish(work, run, EventKind.FAILED, String.valueOf(failed.error()), null);
      case Outcome.TimedOut timedOut -> publish(work, run, EventKind.FAILED, "timed out", null);
      case Outcome.Cancelled cancelled -> publish(work, run, EventKind.CANCELLED, null, null);
    }
    followUpsAfter(work.message(), outcome);
  }

  /** Publishes the end of a run as a status event (a no-op with events off). */
  void publish(Work work, TaskRun run, EventKind kind, String error, Instant runAt) {
    DurableClaim claim = work.claim();
    statusEvents.publish(new StatusEvent(run.uuid(), run.taskName(), kind, claim != null, claim == null ? 0 : claim.attempt(), run.nodeId(),
        Instant.now(), error, runAt));
  }

  /** The counts, the log line (with {@code note} at its end), the hooks' {@code afterTask}: what every mode reports of a run. */
  void report(Work work, TaskRun run, Outcome outcome, Duration duration, String note) {
    TaskMessage message = work.message();
    double waitSeconds = QueueWait.seconds(message.timePub(), run.startedAt());
    // counted before the line is written: whoever sees the line sees the count
    events.finished(message.task(), outcome.kind(), duration.toNanos(), waitSeconds);
    logOutcome(work, outcome, duration, waitSeconds, note);
    if (!hooks.isEmpty()) {
      hooks.afterTask(run, new TaskOutcome(outcome.status(), outcome.result(), outcome.error(), Instant.now(), duration));
    }
  }

  /** The message's callbacks after a success, its errbacks after a failure or timeout. */
  void followUpsAfter(TaskMessage message, Outcome outcome) {
    if (message.hasFollowUps()) {
      switch (outcome) {
        case Outcome.Succeeded succeeded -> followUps(message, WireFormat.CALLBACKS);
        case Outcome.Failed failed -> followUps(message, WireFormat.ERRBACKS);
        case Outcome.TimedOut timedOut -> followUps(message, WireFormat.ERRBACKS);
        case Outcome.Cancelled cancelled -> { }
      }
    }
  }

  private void logOutcome(Work work, Outcome outcome, Duration duration, double waitSeconds, String note) {
    TaskMessage message = work.message();
    switch (outcome) {
      case Outcome.Succeeded succeeded -> {
        if (log.isInfoEnabled()) { // the formatting below is the costliest part of a no-op task
          log.info("task {} {} succeeded in {} ms (waited {} ms){}{}", message.uuid(), message.task(), millis(duration.toNanos()),
              waited(waitSeconds), note, succeeded.result() == null ? "" : " -> " + UntrustedText.of(succeeded.result()));
        }
      }
      case Outcome.TimedOut timedOut -> {
        log.warn("task {} {} timed out: interrupted at its {} s timeout, ended after {} ms{}", message.uuid(), message.task(),
            work.timeoutSeconds(), millis(duration.toNanos()), note);
      }
      case Outcome.Cancelled cancelled -> {
        log.info("task {} {} cancelled after {} ms{}", message.uuid(), message.task(), millis(duration.toNanos()), note);
      }
      case Outcome.Failed failed -> {
        log.warn("task {} {} failed in {} ms{}: {}", message.uuid(), message.task(), millis(duration.toNanos()), note, failed.error(),
            failed.error());
      }
    }
  }

  /** Submits each nested task message of the parent's callbacks or errbacks. */
  private void followUps(TaskMessage parent, String key) {
    JsonNode list = parent.raw().get(key);
    if (list == null || list.isNull()) {
      return;
    }
    String kind = key.substring(0, key.length() - 1); // callback, errback
    if (!list.isArray()) {
      events.dropped(DropReason.BAD_FOLLOWUP);
      log.warn("task {}: '{}' is not an array of task messages; ignored", parent.uuid(), key);
      return;
    }
    for (JsonNode item : list) {
      if (!item.isObject()) {
        events.dropped(DropReason.BAD_FOLLOWUP);
        log.warn("task {}: an entry of '{}' is not a task message: {}", parent.uuid(), key, UntrustedText.of(item));
        continue;
      }
      ObjectNode child = ((ObjectNode) item).deepCopy();
      child.put("origin", kind + ":" + parent.uuid());
      try {
        TaskMessage followUp = followUpReader.read(child, null, UUID.randomUUID().toString());
        log.info("task {}: {} {} {}", parent.uuid(), kind, UntrustedText.of(followUp.uuid()), UntrustedText.of(followUp.task()));
        followUps.accept(followUp);
      } catch (BadMessageException e) {
        events.dropped(DropReason.BAD_FOLLOWUP);
        log.warn("task {}: an entry of '{}' is not a usable task message: {}", parent.uuid(), key, UntrustedText.of(e.getMessage()));
      }
    }
  }

  /** Publish-to-start time in ms; "?" when the message had no plausible time_pub (see {@link QueueWait}). */
  private static String waited(double waitSeconds) {
    return Double.isNaN(waitSeconds) ? "?" : millis((long) (waitSeconds * 1e9));
  }

  /** Milliseconds with two decimals, without the cost of String.format. */
  public static String millis(long nanos) {
    long hundredths = Math.round(nanos / 1e4);
    long fraction = Math.abs(hundredths % 100);
    return (hundredths < 0 && hundredths > -100 ? "-" : "") + (hundredths / 100) + (fraction < 10 ? ".0" : ".") + fraction;
  }
}
