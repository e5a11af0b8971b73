package dev.dispatcher.service.intake;

import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line (and count) per admission that is not a plain start or queue: held, dropped, delayed, refused. */
public final class AdmissionLog {

  private static final Logger log = LoggerFactory.getLogger(AdmissionLog.class);

  public static final String DUPLICATE = "duplicate";
  public static final String SHUTTING_DOWN = "shutting_down";

  private final DispatcherMetrics metrics;

  public AdmissionLog(DispatcherMetrics metrics) {
    this.metrics = metrics;
  }

  public void admitted(Work work, WorkerPool.Admission admission) {
    TaskMessage message = work.message();
    switch (admission) {
      case HELD -> log.info("task {} {} held: a duplicate is running or queued (on_duplicate {})", message.uuid(), message.task(),
          message.onDuplicate().wireName());
      case DROPPED_DUPLICATE -> {
        metrics.dropped(DUPLICATE);
        log.info("dropped task {} {}: a duplicate is running, queued or held (on_duplicate {})", message.uuid(), message.task(),
            message.onDuplicate().wireName());
      }
      case DELAYED -> log.debug("task {} {} delayed {} s", message.uuid(), message.task(), message.delaySeconds());
      case CLOSED -> {
        metrics.dropped(SHUTTING_DOWN);
        log.warn("task {} {} not started: the daemon is shutting down", message.uuid(), message.task());
      }
      case STARTED, QUEUED -> { }
    }
  }
}
