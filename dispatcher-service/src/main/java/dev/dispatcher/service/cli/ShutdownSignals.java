package dev.dispatcher.service.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT start a clean stop (the main thread closes the daemon and exits 0); a second
 * signal stops at once, after logging what it drops (see {@link #beforeHalt}). Handling the signals
 * ourselves, rather than in a shutdown hook, lets the stop run in order with logging still alive
 * and end with status 0.
 */
final class ShutdownSignals {

  private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);
  /** How long the second signal waits for the report of what it drops: a stuck daemon must not hold the halt. */
  static final Duration REPORT_WAIT = Duration.ofSeconds(2);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicInteger received = new AtomicInteger();
  private volatile Runnable beforeHalt = () -> { };

  void install() {
    for (String name : new String[] {"TERM", "INT"}) {
      // sun.misc.Signal, the JDK's one way to handle a signal without a shutdown hook: javac warns
      // at each mention (no lint key silences it), so it is named here only
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> onSignal(signal.getName(), signal.getNumber()));
    }
  }

  /** What a stop at once runs first (it logs what is dropped); given at most {@link #REPORT_WAIT}. */
  void beforeHalt(Runnable report) {
    this.beforeHalt = report;
  }

  private void onSignal(String name, int number) {
    if (received.incrementAndGet() == 1) {
      log.info("SIG{} received: stopping (send it again to stop at once)", name);
      stop.countDown();
    } else {
      log.warn("SIG{} received again: stopping at once", name);
      runBounded(beforeHalt, REPORT_WAIT);
      Runtime.getRuntime().halt(128 + number);
    }
  }

  /**
   * Runs {@code report} on a thread of its own and waits for it at most {@code wait}; true when it
   * finished in time. A report that hangs (on a lock a stuck thread holds) is left behind, logged.
   */
  static boolean runBounded(Runnable report, Duration wait) {
    Thread reporter = Thread.ofPlatform().name("halt-report").daemon(true).start(() -> {
      try {
        report.run();
      } catch (RuntimeException e) {
        log.warn("could not list what the stop drops: {}", e.toString());
      }
    });
    try {
      if (reporter.join(wait)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.warn("stopping without the list of what is dropped: it took longer than {} ms", wait.toMillis());
    return false;
  }

  /** A stop not asked for by a signal (a fatal failure): the same clean stop. */
  void stopBecause(String reason) {
    log.error("stopping: {}", reason);
    stop.countDown();
  }

  void awaitStop() throws InterruptedException {
    stop.await();
  }
}
