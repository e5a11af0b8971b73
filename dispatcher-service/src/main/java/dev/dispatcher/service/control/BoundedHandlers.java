package dev.dispatcher.service.control;

import dev.dispatcher.service.metrics.DispatcherEvents;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * Runs control handlers on virtual threads, never more than {@code maxHandlers} at once. When all
 * are busy, up to {@code maxBusyReplies} more messages get a short "busy" answer (also on a
 * thread of its own: a reply is a NOTIFY); beyond that a message is dropped. So a flood of control
 * messages costs at most {@code maxHandlers + maxBusyReplies} threads and nothing queues.
 */
final class BoundedHandlers {

  /** What became of a submitted message. */
  enum Admission { HANDLED, BUSY, DROPPED }

  private final Semaphore handlers;
  private final Semaphore busyReplies;
  private final int maxHandlers;
  private final DispatcherEvents events;
  private final Executor threads;

  /** Each handler on a virtual thread of its own. */
  BoundedHandlers(int maxHandlers, int maxBusyReplies, DispatcherEvents events) {
    this(maxHandlers, maxBusyReplies, events, work -> Thread.ofVirtual().name("control").start(work));
  }

  /** @param threads starts each handler (a thread each; the bound is kept here, not there) */
  BoundedHandlers(int maxHandlers, int maxBusyReplies, DispatcherEvents events, Executor threads) {
    if (maxHandlers < 1 || maxBusyReplies < 0) {
      throw new IllegalArgumentException("need at least one handler and no negative busy replies: " + maxHandlers + ", " + maxBusyReplies);
    }
    this.handlers = new Semaphore(maxHandlers);
    this.busyReplies = new Semaphore(maxBusyReplies);
    this.maxHandlers = maxHandlers;
    this.events = events;
    this.threads = threads;
  }

  /** Never blocks: starts {@code handle}, else {@code answerBusy}, else neither. */
  Admission submit(Runnable handle, Runnable answerBusy) {
    if (handlers.tryAcquire()) {
      events.controlHandlerStarted();
      start(handle, () -> {
        events.controlHandlerEnded();
        handlers.release();
      });
      return Admission.HANDLED;
    }
    if (busyReplies.tryAcquire()) {
      start(answerBusy, busyReplies::release);
      return Admission.BUSY;
    }
    return Admission.DROPPED;
  }

  int maxHandlers() {
    return maxHandlers;
  }

  private void start(Runnable work, Runnable release) {
    try {
      threads.execute(() -> {
        try {
          work.run();
        } finally {
          release.run();
        }
      });
    } catch (RuntimeException | Error e) {
      release.run(); // the thread never started: its slot must not leak
      throw e;
    }
  }
}
