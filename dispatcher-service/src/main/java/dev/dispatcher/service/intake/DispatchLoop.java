package dev.dispatcher.service.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.RejectLog;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.BindException;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The one thread between the producers and the pool. It takes messages from the {@link Backlog},
 * decodes each, looks up the task, binds the arguments and hands the work to the pool, or to the
 * timer when delayed. A bad message is logged with its uuid (rate-limited), counted and dropped.
 *
 * <p>A failure while handling one message (any exception, a stack overflow, an out-of-memory
 * error the JVM survived) drops that message and is counted {@code internal_error}. Errors that
 * mean the JVM itself is broken end the thread, and a thread that ends while the loop should run
 * is reported as a {@link FatalFailure}: the daemon then reports itself unhealthy and stops
 * rather than stay up deaf.
 */
public final class DispatchLoop implements Service {

  private static final Logger log = LoggerFactory.getLogger(DispatchLoop.class);
  private static final long CHUNK_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int DRAIN_BATCH = 256;
  /**
   * Decoded work is handed to the pool this many at a time (and at the end of each batch taken
   * from the backlog): one lock and at most one thread start per free slot for a burst, while the
   * first task of a burst waits for at most this many decodes.
   */
  private static final int ADMIT_BATCH = 64;

  private final Backlog backlog;
  private final MessageDecoder decoder;
  private final TaskRegistry registry;
  private final WorkerPool pool;
  private final AdmissionLog admissions;
  private final BiConsumer<ObjectNode, String> controls;
  private final Runnable doorbells;
  private final Predicate<String> suspended;
  private final DispatcherEvents events;
  private final RejectLog rejects = new RejectLog(log, Level.WARN);
  private final Thread thread;
  private volatile boolean running = true;

  /** A loop for a daemon without durable queues: doorbells are ignored. */
  public DispatchLoop(Backlog backlog, MessageDecoder decoder, TaskRegistry registry, WorkerPool pool, AdmissionLog admissions,
      DispatcherEvents events, BiConsumer<ObjectNode, String> controls, FatalFailure failure) {
    this(backlog, decoder, registry, pool, admissions, events, controls, () -> { }, task -> false, failure);
  }

  /**
   * @param controls takes control messages (it must not block: it runs on this thread)
   * @param doorbells told of each durable queue's doorbell (it must not block)
   * @param suspended whether a task type is suspended: its messages are dropped (it must not block)
   * @param failure told when this loop's thread ends while it should run
   */
  public DispatchLoop(Backlog backlog, MessageDecoder decoder, TaskRegistry registry, WorkerPool pool, AdmissionLog admissions,
      DispatcherEvents events, BiConsumer<ObjectNode, String> controls, Runnable doorbells, Predicate<String> suspended,
      FatalFailure failure) {
    this.backlog = backlog;
    this.controls = controls;
    this.doorbells = doorbells;
    this.suspended = suspended;
    this.decoder = decoder;
    this.registry = registry;
    this.pool = pool;
    this.admissions = admissions;
    this.events = events;
    this.thread = Thread.ofPlatform().name("dispatcher-loop").uncaughtExceptionHandler(failure.handlerFor("dispatch loop"))
        .unstarted(this::loop);
  }

  @Override
  public String name() {
    return "dispatch loop";
  }

  @Override
  public void start() {
    thread.start();
  }

  /** Whether the loop's thread is alive. */
  public boolean isAlive() {
    return thread.isAlive();
  }

  private void loop() {
    long nextSweep = System.nanoTime() + CHUNK_SWEEP_NANOS;
    List<Inbound> batch = new ArrayList<>(DRAIN_BATCH);
    List<Work> admitting = new ArrayList<>(ADMIT_BATCH);
    while (running) {
      try {
        backlog.take(batch, DRAIN_BATCH, CHUNK_SWEEP_NANOS);
      } catch (InterruptedException e) {
        break;
      }
      long now = System.nanoTime();
      for (Inbound next : batch) {
        try {
          handle(next, now, admitting);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError | LinkageError | AssertionError e) {
          events.dropped(DropReason.INTERNAL_ERROR);
          log.error("dispatch of {} failed: {}", Backlog.describe(next), UntrustedText.of(e.toString()), e);
        }
        if (admitting.size() >= ADMIT_BATCH) {
          admit(admitting);
        }
      }
      batch.clear();
      admit(admitting);
      if (now - nextSweep >= 0) {
        int expired = decoder.expireChunks(now);
        if (expired > 0) {
          log.warn("dropped {} chunked message(s) whose parts did not all arrive in time", expired);
        }
        rejects.flush();
        backlog.flushRejects();
        nextSweep = now + CHUNK_SWEEP_NANOS;
      }
    }
    if (running) {
      throw new IllegalStateException("the dispatch loop was interrupted while it should run");
    }
  }
  /** Decodes one message; the work it makes is added to {@code admitting}, or put on the timer when delayed. */
  private void handle(Inbound next, long now, List<Work> admitting) {
    switch (next) {
      case Inbound.Notified notified -> {
        events.received(notified.channel());
        switch (decoder.decode(notified.channel(), notified.payload(), now)) {
          case Decoded.Task task -> dispatch(task.message(), admitting);
          case Decoded.PartialChunk partial -> { }
          case Decoded.Doorbell doorbell -> doorbells.run();
          case Decoded.Control control -> {
            admit(admitting); // a control command (a cancel, say) sees every task that came before it
            controls.accept(control.message(), control.channel());
          }
          case Decoded.Rejected rejected -> {
            events.dropped(rejected.reason());
            rejects.reject(rejected.reason().label(), "dropped message{} on channel {}: {}",
                rejected.uuid() == null ? "" : " " + UntrustedText.of(rejected.uuid()), notified.channel(), rejected.detail());
          }
        }
      }
      case Inbound.Local local -> dispatch(local.message(), admitting);
    }
  }

  private void dispatch(TaskMessage message, List<Work> admitting) {
    RegisteredTask task = registry.find(message.task());
    if (task == null) {
      events.dropped(DropReason.UNKNOWN_TASK);
      rejects.reject(DropReason.UNKNOWN_TASK.label(), "dropped task {}: unknown task '{}' (this daemon runs {} task(s))",
          UntrustedText.of(message.uuid()), UntrustedText.of(message.task()), registry.size());
      return;
    }
    if (suspended.test(message.task())) {
      events.dropped(DropReason.SUSPENDED);
      rejects.reject(DropReason.SUSPENDED.label(), "dropped task {}: task {} is suspended (fire-and-forget messages of a suspended task"
          + " are not kept; resume it with ctl resume)", UntrustedText.of(message.uuid()), message.task());
      return;
    }
    Object[] arguments;
    try {
      arguments = task.bind(message.args(), message.kwargs());
    } catch (BindException e) {
      events.dropped(DropReason.BAD_ARGUMENTS);
      rejects.reject(DropReason.BAD_ARGUMENTS.label(), "dropped task {}: {}", UntrustedText.of(message.uuid()),
          UntrustedText.of(e.getMessage(), 500));
      return;
    }
    Work work = new Work(message, task, arguments);
    if (message.delaySeconds() > 0) {
      admissions.admitted(work, pool.admitAfter(work, (long) (message.delaySeconds() * 1e9)));
    } else {
      admitting.add(work);
    }
  }

  /** Hands the decoded work to the pool, in order, and clears the list. */
  private void admit(List<Work> admitting) {
    if (admitting.isEmpty()) {
      return;
    }
    try {
      List<WorkerPool.Admission> admitted = pool.admitAll(admitting);
      for (int i = 0; i < admitting.size(); i++) {
        admissions.admitted(admitting.get(i), admitted.get(i));
      }
    } finally {
      admitting.clear();
    }
  }

  /** Stops the loop; what was still waiting to be decoded is logged with its uuid (it is lost: fire-and-forget). */
  @Override
  public void stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
    for (Inbound left : backlog.drain()) {
      events.dropped(DropReason.SHUTTING_DOWN);
      log.warn("abandoned on shutdown before dispatch: {}", Backlog.describe(left));
    }
  }
}
