package dev.dispatcher.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;

/**
 * What the task table says about one task: where it is in its life, its result once it completed,
 * and its errors. Durable tasks have a row from their submission on; fire-and-forget tasks of a
 * {@code @Task(record = true)} method get one when they finish.
 *
 * <pre>{@code
 * publisher.status(uuid).ifPresent(status -> {
 *   if (status.state() == TaskState.COMPLETED) {
 *     Receipt receipt = status.resultAs(Receipt.class, mapper);
 *   }
 * });
 * }</pre>
 *
 * @param channel the channel it was published on ({@code (local)} for a recorded task the daemon made itself)
 * @param client who submitted it ({@code SubmitOptions.client}), or null
 * @param attempt attempts started so far (0 before the first)
 * @param createdAt when it was enqueued (recorded tasks: published)
 * @param startedAt when its last attempt started, or null before the first
 * @param finishedAt when it finished, or null while it has not
 * @param runAt when it is due (scheduled, available, retryable)
 * @param node the node its last attempt ran on, or null
 * @param result what the task returned, as JSON; null when it returned nothing, has not completed,
 *     or when the result was not kept ({@link #resultOmitted()})
 * @param resultBytes the size of the result as JSON (UTF-8), kept or not; null without a result
 * @param resultOmitted why the result is not kept, e.g. larger than the daemon's
 *     {@code durable.max_result_kib}; null when it is
 * @param errors the failed attempts, oldest first (the last {@value #MAX_ERRORS} at most)
 * @param errorCount how many attempts failed in all
 * @param progress the last {@code context.progress} fraction, or null
 */
public record TaskStatus(
    String uuid, String task, String channel, String client, TaskState state, int attempt, int maxAttempts,
    Instant createdAt, Instant startedAt, Instant finishedAt, Instant runAt, String node,
    JsonNode result, Integer resultBytes, String resultOmitted, List<TaskError> errors, int errorCount,
    Double progress, String progressNote, Instant progressAt) {

  /** A status carries the last this many errors at most. */
  public static final int MAX_ERRORS = 100;

  public TaskStatus {
    errors = List.copyOf(errors);
  }

  /** Whether it finished: completed, failed or cancelled. */
  public boolean isFinished() {
    return state.isFinal();
  }

  /** The last failed attempt, or null when none failed. */
  public TaskError lastError() {
    return errors.isEmpty() ? null : errors.get(errors.size() - 1);
  }

  /**
   * The result converted to a type, as Jackson converts it; null when there is none.
   *
   * @throws IllegalArgumentException when the result does not convert to the type
   */
  public <T> T resultAs(Class<T> type, ObjectMapper mapper) {
    if (result == null || result.isNull()) {
      return null;
    }
    try {
      return mapper.treeToValue(result, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the result of task " + uuid + " is not a " + type.getName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
