package dev.dispatcher.status;

import java.util.Locale;

/** The state of a task's row, in the order of its life; {@link #isFinal()} ones do not change again by themselves. */
public enum TaskState {
  /** Waiting for its {@code run_at} (a delay, or enqueued ahead). */
  SCHEDULED,
  /** Due: the next daemon of its channel with the task claims it. */
  AVAILABLE,
  /** Claimed: running on a daemon, under a lease. */
  RUNNING,
  /** An attempt failed; the next is due at {@code run_at}. */
  RETRYABLE,
  /** Finished: the task returned. */
  COMPLETED,
  /** Finished: the last attempt failed, or the task said not to retry (the dead letter). */
  FAILED,
  /** Finished: cancelled before or while it ran. */
  CANCELLED;

  /** Whether the task has finished: completed, failed or cancelled. */
  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  /** The name in the table's {@code state} column: {@code completed}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The state a {@code state} column holds.
   *
   * @throws IllegalArgumentException naming the states when it is none of them
   */
  public static TaskState of(String wireName) {
    for (TaskState state : values()) {
      if (state.wireName().equals(wireName)) {
        return state;
      }
    }
    throw new IllegalArgumentException("unknown task state '" + wireName + "': one of scheduled, available, running, retryable,"
        + " completed, failed, cancelled");
  }
}
