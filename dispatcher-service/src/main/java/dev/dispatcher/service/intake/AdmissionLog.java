package dev.dispatcher.service.intake;

import dev.dispatcher.service.log.RejectLog;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherMetrics;
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

  public static final String DUPLICATE = "duplicate";
  public static final String SHUTTING_DOWN = "shutting_down";
  public static final String QUEUE_FULL = "queue_full";
  public static final String DELAYED_FULL = "delayed_full";

  private final DispatcherMetrics metrics;
  private final RejectLog duplicates = new RejectLog(log, Level.INFO);
  private final RejectLog refusals = new RejectLog(log, Level.WARN);

  public AdmissionLog(DispatcherMetrics metrics) {
    this.metrics = metrics;
  }

  public void admitted(Work work, WorkerPool.Admission admission) {
    TaskMessage message = work.message();
    switch (admission) {
      case HELD -> log.info("task {} {} held: a duplicate is running or queued (on_duplicate {})", UntrustedText.of(message.uuid()),
          message.task(), message.onDuplicate().wireName());
      case DROPPED_DUPLICATE -> {
        metrics.dropped(DUPLICATE);
        duplicates.reject(DUPLICATE, "dropped task {} {}: a duplicate is running, queued or held (on_duplicate {})",
            UntrustedText.of(message.uuid()), message.task(), message.onDuplicate().wireName());
      }
      case DELAYED -> log.debug("task {} {} delayed {} s", UntrustedText.of(message.uuid()), message.task(), message.delaySeconds());
      case QUEUE_FULL -> {
        metrics.dropped(QUEUE_FULL);
        refusals.reject(QUEUE_FULL, "dropped task {} {}: queued and held work is at its bound (limits.max_waiting, limits.max_waiting_mib)",
            UntrustedText.of(message.uuid()), message.task());
      }
      case DELAYED_FULL -> {
        metrics.dropped(DELAYED_FULL);
        refusals.reject(DELAYED_FULL, "dropped task {} {}: delayed work is at its bound (limits.max_delayed, limits.max_waiting_mib)",
            UntrustedText.of(message.uuid()), message.task());
      }
      case CLOSED -> {
        metrics.dropped(SHUTTING_DOWN);
        log.warn("task {} {} not started: the daemon is shutting down", UntrustedText.of(message.uuid()), message.task());
      }
      case STARTED, QUEUED -> { }
    }
  }
}
