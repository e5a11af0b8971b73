package dev.dispatcher.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A submitted task whose row can be watched: {@code publisher.task(Tasks::resize).submit(path)}
 * for a durable or recorded ({@code @Task(record = true)}) task, or {@code publisher.handle(uuid)}
 * for any uuid. Waiting costs no polling: the daemons notify the schema's results channel when a
 * task finishes, and the publisher's one listening connection wakes the waiters. Thread-safe.
 *
 * <pre>{@code
 * TaskHandle handle = publisher.task(ReportTasks::build).submit("2024-05");
 * JsonNode report = handle.result(Duration.ofMinutes(2));              // waits; throws on failure
 * handle.future().thenAccept(result -> log.info("report {}", result)); // or asynchronously
 * }</pre>
 */
public interface TaskHandle {

  /** The task's uuid; for a submission the result cache answered, the cached row's. */
  String uuid();

  /**
   * Whether the result cache answered the submission ({@code @Task(cacheFor)}, {@code
   * SubmitOptions.cacheFor}): nothing was run or inserted for it, this handle is on the completed
   * row that answered it, and its {@link #result} is there at once. False for a handle made by
   * uuid ({@code publisher.handle(uuid)}).
   */
  default boolean cached() {
    return false;
  }

  /**
   * What the table says now; empty when there is no row (not committed yet, a fire-and-forget task
   * not recorded yet, or deleted by retention).
   */
  Optional<TaskStatus> status();

  /**
   * Waits until the task finished and returns its result (null when it returned nothing).
   *
   * @throws TaskFailedException when it failed or was cancelled
   * @throws ResultOmittedException when it completed but its result was not kept
   * @throws TimeoutException when it has not finished within the timeout
   * @throws InterruptedException when the waiting thread is interrupted
   */
  JsonNode result(Duration timeout) throws TimeoutException, InterruptedException;

  /**
   * As {@link #result(Duration)}, converted to a type as Jackson converts it.
   *
   * @throws IllegalArgumentException when the result does not convert to the type
   */
  <T> T result(Duration timeout, Class<T> type) throws TimeoutException, InterruptedException;

  /**
   * Completes with the result once the task completed; exceptionally with a {@link
   * TaskFailedException} when it failed or was cancelled, a {@link ResultOmittedException} when its
   * result was not kept, or an {@link IllegalStateException} when its row disappeared or the
   * publisher was closed. It never times out by itself: use {@code orTimeout}. Cancelling it stops
   * only this wait.
   */
  CompletableFuture<JsonNode> future();

  /** Completes with the final status (completed, failed or cancelled), whichever it is. */
  CompletableFuture<TaskStatus> finished();
}
