package dev.dispatcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.DurableRow;
import dev.dispatcher.wire.DurableTaskEncoder;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Turns a durable submission into its row for {@code enqueue_many}. Each value comes from the
 * submission's {@link SubmitOptions} when it sets one, else from the task's {@link Task}
 * annotation (whose own defaults apply when it says nothing). Thread-safe.
 */
final class DurableRowFactory {

  /** The longest delay {@code enqueue_many} takes, a year. */
  static final double MAX_DELAY_SECONDS = 31_536_000;

  private final DurableTaskEncoder encoder;

  DurableRowFactory(ObjectMapper mapper) {
    this.encoder = new DurableTaskEncoder(mapper);
  }

  /**
   * The row's {@code cache_for}: null when neither the task nor the submission has a cache (the row
   * costs the cache nothing: no key, no lookup); 0 when it is not to be answered from the cache but
   * is to answer later submissions (the submission said {@link java.time.Duration#ZERO}, or gave
   * its own uuid, which is to name its row); else the submission's, or the task's, cacheFor.
   */
  static Double cacheFor(TaskDefinition task, SubmitOptions options) {
    double seconds = options.cacheFor() != null ? MessageFactory.seconds(options.cacheFor()) : task.cacheForSeconds();
    if (seconds > 0) {
      return options.uuid() != null ? 0.0 : seconds;
    }
    return task.cacheForSeconds() > 0 ? 0.0 : null;
  }

  /**
   * @throws IllegalArgumentException when the submission is {@code serial}, its timeout is past 7
   *     days or its delay past a year, or an argument cannot be written as JSON
   */
  DurableRow row(TaskDefinition task, String channel, String uuid, List<?> args, Map<String, ?> kwargs, SubmitOptions options) {
    OnDuplicate onDuplicate = options.onDuplicate() != null ? options.onDuplicate() : task.onDuplicate();
    double timeout = options.timeout() != null ? MessageFactory.seconds(options.timeout()) : task.timeoutSeconds();
    TaskDefinition.checkDurable(task.name(), timeout, onDuplicate);
    double delay = options.delay() != null ? MessageFactory.seconds(options.delay()) : 0;
    if (delay > MAX_DELAY_SECONDS) {
      throw new IllegalArgumentException("task " + task.name() + ": a durable task's delay must be at most "
          + (long) MAX_DELAY_SECONDS + " seconds (a year), was " + options.delay());
    }
    int priority = options.priority() != null ? options.priority() : task.priority();
    int maxAttempts = options.maxAttempts() != null ? options.maxAttempts() : task.maxAttempts();
    Double cacheFor = cacheFor(task, options);
    String json = encoder.encode(new DurableTaskEncoder.Fields(task.name(), channel, uuid, args, kwargs, delay, timeout,
        onDuplicate.wireName(), priority, maxAttempts, task.backoffSeconds(), task.maxBackoffSeconds(), Instant.now(),
        task.bind(), options.client(), cacheFor));
    return new DurableRow(channel, json, cacheFor != null && cacheFor > 0);
  }
}
