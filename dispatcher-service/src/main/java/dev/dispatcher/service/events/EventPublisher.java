package dev.dispatcher.service.events;

import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.metrics.DispatcherEvents;
import dev.dispatcher.service.metrics.EventDrop;
import dev.dispatcher.service.storage.Notifier;
import dev.dispatcher.wire.Notification;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes status events with NOTIFY: the parts hand events over without waiting (a bounded queue;
 * when it is full the event is dropped and counted), one thread sends what has gathered, up to
 * {@value #MAX_EVENTS_PER_STATEMENT} events in one statement, each channel's events packed into
 * payloads by {@link EventPayloads}. One queue and one sender keep every task's events in the order
 * they happened. Best effort: a failed send drops its events (counted, logged once until a send
 * works again); the task table stays the truth.
 */
public final class EventPublisher implements StatusEvents, Service {

  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
  static final int MAX_EVENTS_PER_STATEMENT = 1000;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final String channel;
  private final Map<String, String> taskChannels;
  private final int maxQueued;
  private final Notifier notifier;
  private final EventPayloads payloads;
  private final DispatcherEvents metrics;
  private final BlockingQueue<StatusEvent> queue;
  private final AtomicBoolean full = new AtomicBoolean();
  private final List<String> allChannel;
  private volatile boolean stopping;
  private Thread sender;
  private boolean failing; // sender thread only

  /**
   * @param channel every event goes here ({@code events.channel})
   * @param taskChannels per task name, a channel its events also go to ({@code events.tasks})
   * @param maxQueued events waiting to be sent at most ({@code events.max_queued})
   */
  public EventPublisher(String channel, Map<String, String> taskChannels, int maxQueued, Notifier notifier, EventPayloads payloads,
      DispatcherEvents metrics) {
    this.channel = channel;
    this.taskChannels = Map.copyOf(taskChannels);
    this.maxQueued = maxQueued;
    this.notifier = notifier;
    this.payloads = payloads;
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(maxQueued);
    this.allChannel = List.of(channel);
  }

  @Override
  public String name() {
    return "status events";
  }

  @Override
  public void publish(StatusEvent event) {
    if (queue.offer(event)) {
      full.set(false);
      return;
    }
    metrics.statusEventsDropped(EventDrop.QUEUE_FULL, 1);
    if (full.compareAndSet(false, true)) {
      log.warn("status events: {} events wait to be sent (events.max_queued); event {} of task {} and the next ones are dropped until there"
          + " is room", maxQueued, event.kind().wireName(), UntrustedText.of(event.uuid()));
    }
  }

  @Override
  public void start() {
    sender = Thread.ofPlatform().name("dispatcher-events").daemon(true).start(this::sendUntilStopped);
  }

  private void sendUntilStopped() {
    List<StatusEvent> batch = new ArrayList<>(MAX_EVENTS_PER_STATEMENT);
    try {
      while (!stopping || !queue.isEmpty()) {
        StatusEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_EVENTS_PER_STATEMENT - 1);
        send(batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      int left = queue.size();
      if (left > 0) {
        metrics.statusEventsDropped(EventDrop.SEND_FAILED, left);
        log.warn("status events: {} events not sent: the daemon stopped before they were", left);
      }
    }
  }

  private void send(List<StatusEvent> batch) {
    List<Notification> notifications = payloads.pack(batch, this::channelsOf);
    try {
      notifier.send(notifications);
      metrics.statusEventsSent(batch.size());
      if (failing) {
        log.info("status events: sent again");
        failing = false;
      }
    } catch (SQLException | RuntimeException e) {
      metrics.statusEventsDropped(EventDrop.SEND_FAILED, batch.size());
      if (!failing) {
        log.warn("status events: {} events not sent ({}); the next sends are tried, failures counted", batch.size(),
            UntrustedText.of(e.getMessage(), 300));
        failing = true;
      }
    }
  }

  private List<String> channelsOf(StatusEvent event) {
    String own = taskChannels.get(event.task());
    return own == null || own.equals(channel) ? allChannel : List.of(channel, own);
  }

  /** Sends what was handed over before the stop (the pool has stopped by then), within a bound. */
  @Override
  public void stop() throws InterruptedException {
    stopping = true;
    if (sender != null) {
      sender.join(STOP_TIMEOUT);
      if (sender.isAlive()) {
        sender.interrupt();
        sender.join(STOP_TIMEOUT);
      }
    }
  }
}
