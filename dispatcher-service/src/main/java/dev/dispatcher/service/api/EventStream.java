package dev.dispatcher.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.storage.EventSubscription;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status events of every daemon on the database, for {@code GET /api/v1/events}: one LISTEN on
 * the events channel (whoever published them), fanned out to the open streams. Each stream has a
 * bounded buffer; a stream that falls that far behind is ended (its client reconnects) rather than
 * let the daemon hold an unbounded backlog for it. At most {@value #MAX_STREAMS} streams at once.
 */
final class EventStream implements Service {

  static final int MAX_STREAMS = 32;
  static final int BUFFER = 1000;
  private static final Logger log = LoggerFactory.getLogger(EventStream.class);

  private final EventSubscription subscription;
  private final ObjectMapper mapper;
  private final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
  private final AtomicLong sequence = new AtomicLong();
  private volatile boolean stopped;
  private Thread reader;

  EventStream(EventSubscription subscription, ObjectMapper mapper) {
    this.subscription = subscription;
    this.mapper = mapper;
  }

  @Override
  public String name() {
    return "http api event stream";
  }

  @Override
  public void start() {
    reader = Thread.ofPlatform().name("dispatcher-api-events").daemon(true).start(this::readUntilStopped);
  }

  private void readUntilStopped() {
    while (!stopped) {
      try {
        for (String payload : subscription.next(500)) {
          deliver(payload);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void deliver(String payload) {
    JsonNode events;
    try {
      events = mapper.readTree(payload);
    } catch (java.io.IOException e) {
      log.debug("http api event stream: a payload that is not JSON: {}", UntrustedText.of(payload, 100));
      return; // anyone may NOTIFY the channel: not ours to fail on
    }
    if (events == null || !events.isArray()) {
      return;
    }
    for (JsonNode event : events) {
      if (event.isObject()) {
        long id = sequence.incrementAndGet();
        for (Subscriber subscriber : subscribers) {
          subscriber.offer(id, event);
        }
      }
    }
  }

  /** A new stream's subscription, or null when {@value #MAX_STREAMS} are open. */
  Subscriber subscribe(Predicate<JsonNode> filter) {
    synchronized (subscribers) {
      if (subscribers.size() >= MAX_STREAMS) {
        return null;
      }
      Subscriber subscriber = new Subscriber(filter);
      subscribers.add(subscriber);
      return subscriber;
    }
  }

  @Override
  public void stop() throws InterruptedException {
    stopped = true;
    subscribers.forEach(Subscriber::end);
    if (reader != null) {
      reader.join(2000);
    }
    subscription.close();
  }

  /** An event with the stream's id for it. */
  record Numbered(long id, JsonNode event) {}

  /** One open stream: what it has not written yet, and whether it is over. */
  final class Subscriber implements AutoCloseable {

    private static final Numbered END = new Numbered(-1, null);
    private final Predicate<JsonNode> filter;
    private final BlockingQueue<Numbered> buffer = new ArrayBlockingQueue<>(BUFFER + 1);
    private volatile boolean overflowed;

    private Subscriber(Predicate<JsonNode> filter) {
      this.filter = filter;
    }

    private void offer(long id, JsonNode event) {
      if (overflowed || !filter.test(event)) {
        return;
      }
      if (buffer.size() >= BUFFER) {
        overflowed = true;
        buffer.offer(END);
        return;
      }
      buffer.offer(new Numbered(id, event));
    }

    private void end() {
      buffer.offer(END);
    }

    /** The next event, null when none came within the wait; {@link Numbered#event()} is null once the stream is over. */
    Numbered next(long waitMillis) throws InterruptedException {
      Numbered next = buffer.poll(waitMillis, TimeUnit.MILLISECONDS);
      return next == END ? new Numbered(-1, null) : next;
    }

    boolean overflowed() {
      return overflowed;
    }

    @Override
    public void close() {
      subscribers.remove(this);
    }
  }
}
