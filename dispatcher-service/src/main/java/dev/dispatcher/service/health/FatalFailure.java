package dev.dispatcher.service.health;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first failure that leaves the daemon unable to do its job (a long-lived thread of its own
 * ended while it should run). Once reported, {@code /health} says 503 and the command line stops
 * the daemon and exits non-zero, so a supervisor restarts it rather than keep a daemon that is
 * up but deaf. Thread-safe; later reports are logged and otherwise ignored.
 */
public final class FatalFailure {

  private static final Logger log = LoggerFactory.getLogger(FatalFailure.class);

  /** What failed and why. */
  public record Failure(String part, Throwable cause) {
    public String describe() {
      return part + " stopped: " + cause;
    }
  }

  private final AtomicReference<Failure> first = new AtomicReference<>();
  private final CountDownLatch reported = new CountDownLatch(1);

  public void report(String part, Throwable cause) {
    Failure failure = new Failure(part, cause);
    if (first.compareAndSet(null, failure)) {
      log.error("fatal: the {}; the daemon is unhealthy and stops", failure.describe(), cause);
      reported.countDown();
    } else {
      log.error("also failed after the first fatal failure: the {}", failure.describe(), cause);
    }
  }

  /** An uncaught-exception handler for a thread that must never end: its death is fatal. */
  public Thread.UncaughtExceptionHandler handlerFor(String part) {
    return (thread, cause) -> report(part + " (thread " + thread.getName() + ")", cause);
  }

  public Optional<Failure> failure() {
    return Optional.ofNullable(first.get());
  }

  /** Waits for a fatal failure; true when there was one within the timeout. */
  public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    return reported.await(timeout, unit);
  }
}
