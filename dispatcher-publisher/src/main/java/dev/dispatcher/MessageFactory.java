package dev.dispatcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.DurableRow;
import dev.dispatcher.wire.Notification;
import dev.dispatcher.wire.TaskMessageEncoder;
import dev.dispatcher.wire.Uuids;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a submission into what is sent: wire notifications (defaults, encoding, chunking) for a
 * fire-and-forget one, a row for {@code enqueue_many} ({@link DurableRowFactory}) for a durable
 * one. Thread-safe.
 */
final class MessageFactory {

  /** A submission ready to send. */
  sealed interface Encoded permits Notified, Enqueued {
    /** The submission's uuid. */
    String uuid();
  }

  /** A fire-and-forget submission: its notifications in order. */
  record Notified(String uuid, List<Notification> notifications) implements Encoded {}

  /** A durable submission: its row. */
  record Enqueued(String uuid, DurableRow row) implements Encoded {}

  private final TaskMessageEncoder encoder;
  private final DurableRowFactory durableRows;
  private final Chunker chunker = new Chunker();
  private final Uuids uuids = new Uuids();
  private final String defaultChannel;
  private final ObjectMapper mapper;

  MessageFactory(ObjectMapper mapper, String defaultChannel) {
    this.mapper = mapper;
    this.encoder = new TaskMessageEncoder(mapper);
    this.durableRows = new DurableRowFactory(mapper);
    this.defaultChannel = defaultChannel;
  }

  /**
   * @throws IllegalArgumentException when no channel is known, an argument cannot be written as
   *     JSON, a durable submission breaks a durable limit, or a fire-and-forget one sets a durable
   *     option
   */
  Encoded encode(TaskDefinition task, List<?> args, Map<String, ?> kwargs, SubmitOptions options) {
    String channel = firstNonNull(options.channel(), task.channel(), defaultChannel);
    if (channel == null) {
      throw new IllegalArgumentException("no channel for task " + task.name()
          + ": pass one in SubmitOptions, on @Task(channel) or as the publisher's default channel");
    }
    String uuid = options.uuid() != null ? options.uuid() : uuids.next();
    if (options.durable() != null ? options.durable() : task.durable()) {
      return new Enqueued(uuid, durableRows.row(task, channel, uuid, args, kwargs, options));
    }
    if (options.cacheFor() != null && !options.cacheFor().isZero()) {
      // a notification leaves no row that a later submission could be answered with
      throw new IllegalArgumentException("task " + task.name() + ": cacheFor is for durable submissions (a cached result is a"
          + " row of the task table), and this one is fire-and-forget; make it durable with SubmitOptions.builder().durable(true)"
          + " or @Task(durable = true)");
    }
    if (options.priority() != null || options.maxAttempts() != null) {
      // a pg_notify message has nowhere to keep them: refused, not silently dropped
      throw new IllegalArgumentException("task " + task.name() + ": priority and maxAttempts are for durable submissions,"
          + " and this one is fire-and-forget; make it durable with SubmitOptions.builder().durable(true)"
          + " or @Task(durable = true)");
    }
    // Sent when the submission or the task asks for a policy; omitted means "the task's default".
    OnDuplicate onDuplicate = options.onDuplicate() != null ? options.onDuplicate()
        : task.onDuplicate() != OnDuplicate.PARALLEL ? task.onDuplicate() : null;
    double timeout = options.timeout() != null ? seconds(options.timeout()) : task.timeoutSeconds();
    double delay = options.delay() != null ? seconds(options.delay()) : 0;
    String text = encoder.encode(new TaskMessageEncoder.Fields(
        uuid, task.name(), args, kwargs, Instant.now(), timeout, delay,
        onDuplicate == null ? null : onDuplicate.wireName(), task.bind(), options.client()));
    if (!chunker.needsChunking(text)) {
      return new Notified(uuid, List.of(new Notification(channel, text))); // the common case
    }
    List<String> payloads = chunker.split(text);
    List<Notification> notifications = new ArrayList<>(payloads.size());
    for (String payload : payloads) {
      notifications.add(new Notification(channel, payload));
    }
    return new Notified(uuid, notifications);
  }

  /** The mapper arguments are written with (results are read with it too). */
  ObjectMapper mapper() {
    return mapper;
  }

  /** A duration as seconds, with its nanoseconds. */
  static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T value : values) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  static ObjectMapper defaultMapper() {
    return WireFormat.newObjectMapper();
  }
}
