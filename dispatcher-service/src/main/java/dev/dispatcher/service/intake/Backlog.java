package dev.dispatcher.service.intake;

import dev.dispatcher.service.log.RejectLog;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.DropReason;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What producers hand the dispatch loop: notifications from the listener, tasks the daemon makes
 * itself (schedules, on-start, callbacks, control {@code run}). Bounded by count and by estimated
 * memory; offering never blocks (the listener's I/O thread must not), and past a bound the message
 * is refused, counted {@code backlog_full} and logged (rate-limited). Thread-safe; the dispatch
 * loop is its one consumer.
 */
public final class Backlog {

  private static final Logger log = LoggerFactory.getLogger(Backlog.class);
  /** What a queued notification costs beyond its text: the record, the node in the queue, the channel reference. */
  static final long NOTIFICATION_OVERHEAD_BYTES = 128;

  /** The bounds: messages, and their estimated memory. */
  public record Bounds(int maxMessages, long maxBytes) {}

  private final LinkedBlockingQueue<Inbound> queue;
  private final AtomicLong bytes = new AtomicLong();
  private final long maxBytes;
  private final DispatcherEvents events;
  private final RejectLog rejects = new RejectLog(log, Level.WARN);

  public Backlog(Bounds bounds, DispatcherEvents events) {
    this.queue = new LinkedBlockingQueue<>(bounds.maxMessages());
    this.maxBytes = bounds.maxBytes();
    this.events = events;
  }

  /** From the listener's I/O thread: never blocks. */
  public void notified(String channel, String payload) {
    offer(new Inbound.Notified(channel, payload));
  }

  /** A task message the daemon made itself. */
  public void local(TaskMessage message) {
    offer(new Inbound.Local(message));
  }

  private void offer(Inbound next) {
    long size = size(next);
    if (bytes.addAndGet(size) > maxBytes || !queue.offer(next)) {
      bytes.addAndGet(-size);
      events.dropped(DropReason.BACKLOG_FULL);
      rejects.reject(DropReason.BACKLOG_FULL.label(), "dropped {}: the backlog is full ({} messages not yet dispatched; "
          + "limits.max_backlog, limits.max_backlog_mib)", describe(next), queue.size());
    }
  }

  /** Waits up to the timeout for the first message, then takes up to {@code max} in all; returns how many. */
  int take(List<Inbound> batch, int max, long timeoutNanos) throws InterruptedException {
    Inbound first = queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    if (first == null) {
      return 0;
    }
    batch.add(first);
    int taken = 1 + queue.drainTo(batch, max - 1); // one lock for a burst instead of one per message
    for (int i = batch.size() - taken; i < batch.size(); i++) {
      bytes.addAndGet(-size(batch.get(i)));
    }
    return taken;
  }

  /** Everything still waiting, taken out (at shutdown). */
  List<Inbound> drain() {
    List<Inbound> left = new java.util.ArrayList<>();
    queue.drainTo(left);
    left.forEach(next -> bytes.addAndGet(-size(next)));
    return left;
  }

  /** Summaries of rate-limited rejects whose window is over. */
  void flushRejects() {
    rejects.flush();
  }

  public int size() {
    return queue.size();
  }

  /** Estimated memory of what waits. */
  public long bytes() {
    return bytes.get();
  }

  static long size(Inbound next) {
    return switch (next) {
      case Inbound.Notified notified -> NOTIFICATION_OVERHEAD_BYTES + 2L * notified.payload().length();
      case Inbound.Local local -> local.message().memoryBytes();
    };
  }

  static String describe(Inbound next) {
    return switch (next) {
      case Inbound.Notified notified -> "a notification on " + notified.channel();
      case Inbound.Local local -> "task " + UntrustedText.of(local.message().uuid());
    };
  }
}
