package dev.dispatcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.status.ResultOmittedException;
import dev.dispatcher.status.TaskFailedException;
import dev.dispatcher.status.TaskHandle;
import dev.dispatcher.status.TaskState;
import dev.dispatcher.status.TaskStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A {@link TaskHandle} on a publisher's {@link ResultListener}: each wait is one of the listener's.
 * A cached one (the result cache answered the submission with a completed row) reads that row at
 * once instead, and waits through the listener only if it is not finished after all.
 */
final class WatchedTask implements TaskHandle {

  private final String uuid;
  private final ResultListener results;
  private final Function<String, Optional<TaskStatus>> statuses;
  private final ObjectMapper mapper;
  private final boolean cached;

  WatchedTask(String uuid, ResultListener results, Function<String, Optional<TaskStatus>> statuses, ObjectMapper mapper) {
    this(uuid, results, statuses, mapper, false);
  }

  WatchedTask(String uuid, ResultListener results, Function<String, Optional<TaskStatus>> statuses, ObjectMapper mapper,
      boolean cached) {
    this.uuid = uuid;
    this.results = results;
    this.statuses = statuses;
    this.mapper = mapper;
    this.cached = cached;
  }

  @Override
  public String uuid() {
    return uuid;
  }

  @Override
  public boolean cached() {
    return cached;
  }

  /**
   * The final status: for a cached handle, its row read now (it completed before the submission),
   * or an {@link IllegalStateException} when that row is gone since (retention deleted it; a wait
   * would never end); else, or when the row cannot be read now, a wait of the listener's, which
   * ends as any wait does.
   */
  private CompletableFuture<TaskStatus> awaitFinished() {
    if (cached) {
      Optional<TaskStatus> now;
      try {
        now = status();
      } catch (RuntimeException e) {
        return results.await(uuid); // the listener's wait reads the row again, and says why if it cannot
      }
      if (now.isEmpty()) {
        return CompletableFuture.failedFuture(new IllegalStateException("task " + uuid + ": the row that answered from the"
            + " result cache is gone (deleted after durable.completed_retention)"));
      }
      if (now.get().isFinished()) {
        return CompletableFuture.completedFuture(now.get());
      }
    }
    return results.await(uuid);
  }

  @Override
  public Optional<TaskStatus> status() {
    return statuses.apply(uuid);
  }

  @Override
  public CompletableFuture<TaskStatus> finished() {
    return awaitFinished();
  }

  @Override
  public CompletableFuture<JsonNode> future() {
    CompletableFuture<TaskStatus> finished = awaitFinished();
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    finished.whenComplete((status, failure) -> {
      if (failure != null) {
        result.completeExceptionally(failure);
        return;
      }
      try {
        result.complete(resultOf(status));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    result.whenComplete((value, failure) -> {
      if (result.isCancelled()) {
        finished.cancel(false); // the listener forgets this wait
      }
    });
    return result;
  }

  @Override
  public JsonNode result(Duration timeout) throws TimeoutException, InterruptedException {
    CompletableFuture<TaskStatus> finished = awaitFinished();
    try {
      return resultOf(finished.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      finished.cancel(false);
      throw new TimeoutException("task " + uuid + " has not finished within " + timeout.toMillis() + " ms (" + describeNow() + ")");
    } catch (InterruptedException e) {
      finished.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    }
  }

  @Override
  public <T> T result(Duration timeout, Class<T> type) throws TimeoutException, InterruptedException {
    JsonNode result = result(timeout);
    if (result == null || result.isNull()) {
      return null;
    }
    try {
      return mapper.treeToValue(result, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the result of task " + uuid + " is not a " + type.getName() + ": " + e.getOriginalMessage(), e);
    }
  }

  /** The result of a final status, or why there is none. */
  static JsonNode resultOf(TaskStatus status) {
    if (status.state() != TaskState.COMPLETED) {
      throw new TaskFailedException(status);
    }
    if (status.resultOmitted() != null) {
      throw new ResultOmittedException(status);
    }
    return status.result();
  }

  /** Where the task is now, for a wait that timed out. */
  private String describeNow() {
    String problem = results.problem();
    try {
      Optional<TaskStatus> now = status();
      String where = now.map(s -> "state " + s.state().wireName() + ", attempt " + s.attempt() + " of " + s.maxAttempts())
          .orElse("no row yet");
      return problem == null ? where : where + "; " + problem;
    } catch (RuntimeException e) {
      return "its row cannot be read: " + e.getMessage();
    }
  }

  @Override
  public String toString() {
    return "TaskHandle " + uuid + (cached ? " (cached)" : "");
  }
}
