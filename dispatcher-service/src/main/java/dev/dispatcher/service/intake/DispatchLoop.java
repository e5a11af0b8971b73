package dev.dispatcher.service.intake;

import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.BindException;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread between the producers and the pool. Producers hand it messages through an
 * unbounded queue (the listener's I/O thread must never block); it decodes each, looks up the
 * task, binds the arguments and hands the work to the pool, or to the timer when delayed. A bad
 * message is logged with its uuid, counted and dropped; nothing here can stop the loop.
 */
public final class DispatchLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DispatchLoop.class);
  private static final long CHUNK_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int DRAIN_BATCH = 256;

  public static final String UNKNOWN_TASK = "unknown_task";
  public static final String BAD_ARGUMENTS = "bad_arguments";

  private final LinkedBlockingQueue<Inbound> inbound = new LinkedBlockingQueue<>();
  private final MessageDecoder decoder;
  private final TaskRegistry registry;
  private final WorkerPool pool;
  private final AdmissionLog admissions;
  private final java.util.function.BiConsumer<com.fasterxml.jackson.databind.node.ObjectNode, String> controls;
  private final DispatcherMetrics metrics;
  private final Thread thread;
  private volatile boolean running = true;

  /** @param controls takes control messages (it must not block: it runs on this thread) */
  public DispatchLoop(MessageDecoder decoder, TaskRegistry registry, WorkerPool pool, AdmissionLog admissions, DispatcherMetrics metrics,
      java.util.function.BiConsumer<com.fasterxml.jackson.databind.node.ObjectNode, String> controls) {
    this.controls = controls;
    this.decoder = decoder;
    this.registry = registry;
    this.pool = pool;
    this.admissions = admissions;
    this.metrics = metrics;
    this.thread = Thread.ofPlatform().name("dispatcher-loop").unstarted(this::loop);
  }

  public void start() {
    thread.start();
  }

  /** From the listener's I/O thread: never blocks. */
  public void notified(String channel, String payload) {
    inbound.offer(new Inbound.Notified(channel, payload));
  }

  /** From schedules and on-start: a task message the daemon made itself. */
  public void local(TaskMessage message) {
    inbound.offer(new Inbound.Local(message));
  }

  /** Counters of chunk reassembly (completed, expired, invalid, evicted for space). */
  public dev.dispatcher.wire.ChunkAssembler.Stats chunkStats() {
    return decoder.chunkStats();
  }

  public int backlog() {
    return inbound.size();
  }

  private void loop() {
    long nextSweep = System.nanoTime() + CHUNK_SWEEP_NANOS;
    List<Inbound> batch = new ArrayList<>(DRAIN_BATCH);
    while (running) {
      try {
        Inbound first = inbound.poll(CHUNK_SWEEP_NANOS, TimeUnit.NANOSECONDS);
        if (first != null) {
          batch.add(first);
          inbound.drainTo(batch, DRAIN_BATCH - 1); // one lock for a burst instead of one per message
        }
      } catch (InterruptedException e) {
        break;
      }
      long now = System.nanoTime();
      for (Inbound next : batch) {
        try {
          handle(next, now);
        } catch (RuntimeException e) {
          metrics.dropped("internal_error");
          log.error("dispatch of {} failed: {}", describe(next), e.toString(), e);
        }
      }
      batch.clear();
      if (now - nextSweep >= 0) {
        int expired = decoder.expireChunks(now);
        if (expired > 0) {
          log.warn("dropped {} chunked message(s) whose parts did not all arrive in time", expired);
        }
        nextSweep = now + CHUNK_SWEEP_NANOS;
      }
    }
  }

  private void handle(Inbound next, long now) {
    switch (next) {
      case Inbound.Notified notified -> {
        metrics.receivedOn(notified.channel());
        switch (decoder.decode(notified.channel(), notified.payload(), now)) {
          case Decoded.Task task -> dispatch(task.message());
          case Decoded.PartialChunk partial -> { }
          case Decoded.Control control -> controls.accept(control.message(), control.channel());
          case Decoded.Rejected rejected -> {
            metrics.dropped(rejected.reason());
            log.warn("dropped message{} on channel {}: {}", rejected.uuid() == null ? "" : " " + rejected.uuid(),
                notified.channel(), rejected.detail());
          }
        }
      }
      case Inbound.Local local -> dispatch(local.message());
    }
  }

  private void dispatch(TaskMessage message) {
    RegisteredTask task = registry.find(message.task());
    if (task == null) {
      metrics.dropped(UNKNOWN_TASK);
      log.warn("dropped task {}: unknown task '{}' (this daemon runs {} task(s))", message.uuid(), message.task(), registry.size());
      return;
    }
    Object[] arguments;
    try {
      arguments = task.bind(message.args(), message.kwargs());
    } catch (BindException e) {
      metrics.dropped(BAD_ARGUMENTS);
      log.warn("dropped task {}: {}", message.uuid(), e.getMessage());
      return;
    }
    Work work = new Work(message, task, arguments);
    admissions.admitted(work, message.delaySeconds() > 0
        ? pool.admitAfter(work, (long) (message.delaySeconds() * 1e9))
        : pool.admit(work));
  }

  private static String describe(Inbound next) {
    return switch (next) {
      case Inbound.Notified notified -> "notification on " + notified.channel();
      case Inbound.Local local -> "task " + local.message().uuid();
    };
  }

  /** Stops the loop; returns what was still waiting to be decoded (the caller logs it). */
  public List<Inbound> stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
    List<Inbound> left = new ArrayList<>();
    inbound.drainTo(left);
    return left;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
