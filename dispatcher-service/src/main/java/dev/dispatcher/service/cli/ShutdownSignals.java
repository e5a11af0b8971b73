package dev.dispatcher.service.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a clean stop (the main thread closes the daemon and exits 0); a second
 * signal stops at once. Handling the signals ourselves, rather than in a shutdown hook, lets the
 * stop run in order with logging still alive and end with status 0.
 */
final class ShutdownSignals {

  private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicInteger received = new AtomicInteger();

  void install() {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), this::onSignal);
    }
  }

  private void onSignal(Signal signal) {
    if (received.incrementAndGet() == 1) {
      log.info("SIG{} received: stopping (send it again to stop at once)", signal.getName());
      stop.countDown();
    } else {
      log.warn("SIG{} received again: stopping at once", signal.getName());
      Runtime.getRuntime().halt(128 + signal.getNumber());
    }
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
