package dev.dispatcher.service.intake;

import dev.dispatcher.service.log.RejectLog;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One log line (and count) per admission that is not a plain start or queue: held, dropped,
 * delayed, refused. Lines for drops and refusals are rate-limited per reason ({@link RejectLog}):
 * a flood is summed up, and every drop is counted.
 */
public final class AdmissionLog {

  private static final Logger log = LoggerFactory.getLogger(AdmissionLog.class);

  private final DispatcherEvents events;
  private final RejectLog duplicates = new RejectLog(log, Level.INFO);
  private final RejectLog refusals = new RejectLog(log, Level.WARN);

  public AdmissionLog(DispatcherEvents events) {
    this.events = events;
  }

  public void admitted(Work work, WorkerPool.Admission admission) {
    TaskMessage message = work.message();
    switch (admission) {
      case HELD -> log.info("task {} {} held: a duplicate is running or queued (on_duplicate {})", UntrustedText.of(message.uuid()),
          message.task(), message.onDuplicate().wireName());
      case DROPPED_DUPLICATE -> {
        events.dropped(DropReason.DUPLICATE);
        duplicates.reject(DropReason.DUPLICATE.label(), "dropped task {} {}: a duplicate is running, queued or held (on_duplicate {})",
            UntrustedText.of(message.uuid()), message.task(), message.onDuplicate().wireName());
      }
      case DELAYED -> log.debug("task {} {} delayed {} s", UntrustedText.of(message.uuid()), message.task(), message.delaySeconds());
      case QUEUE_FULL -> {
        events.dropped(DropReason.QUEUE_FULL);
        refusals.reject(DropReason.QUEUE_FULL.label(),
            "dropped task {} {}: queued and held work is at its bound (limits.max_waiting, limits.max_waiting_mib)",
            UntrustedText.of(message.uuid()), message.task());
      }
      case DELAYED_FULL -> {
        events.dropped(DropReason.DELAYED_FULL);
        refusals.reject(DropReason.DELAYED_FULL.label(),
            "dropped task {} {}: delayed work is at its bound (limits.max_delayed, limits.max_waiting_mib)",
            UntrustedText.of(message.uuid()), message.task());
      }
      case CLOSED -> {
        events.dropped(DropReason.SHUTTING_DOWN);
        log.warn("task {} {} not started: the daemon is shutting down", UntrustedText.of(message.uuid()), message.task());
      }
      case STARTED, QUEUED -> { }
    }
  }
}
