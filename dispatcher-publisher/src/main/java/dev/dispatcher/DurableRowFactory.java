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
    String json = encoder.encode(new DurableTaskEncoder.Fields(task.name(), channel, uuid, args, kwargs, delay, timeout,
        onDuplicate.wireName(), priority, maxAttempts, task.backoffSeconds(), task.maxBackoffSeconds(), Instant.now(),
        task.bind(), options.client()));
    return new DurableRow(channel, json);
  }
}
