package dev.dispatcher.status;

/**
 * A task ended without a result: it failed (every attempt, or the task said not to retry) or it
 * was cancelled. {@link #status()} has its errors.
 */
public final class TaskFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient TaskStatus status;

  public TaskFailedException(TaskStatus status) {
    super(describe(status));
    this.status = status;
  }

  /** The task's final status: its state, attempts and errors. */
  public TaskStatus status() {
    return status;
  }

  private static String describe(TaskStatus status) {
    String what = "task " + status.uuid() + " " + status.task() + " " + status.state().wireName();
    if (status.state() == TaskState.CANCELLED) {
      return what + " (attempt " + status.attempt() + " of " + status.maxAttempts() + ")";
    }
    TaskError last = status.lastError();
    return what + " after " + status.attempt() + " attempt(s)" + (last == null ? "" : ": " + last.error());
  }
}
