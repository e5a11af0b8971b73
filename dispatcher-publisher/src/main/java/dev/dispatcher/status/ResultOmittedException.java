package dev.dispatcher.status;

/**
 * A task completed, but its result was not kept: it was larger than the daemon's {@code
 * durable.max_result_kib}, or not storable as JSON. {@link TaskStatus#resultOmitted()} says which,
 * {@link TaskStatus#resultBytes()} how large it was.
 */
public final class ResultOmittedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient TaskStatus status;

  public ResultOmittedException(TaskStatus status) {
    super("task " + status.uuid() + " " + status.task() + " completed, but its result was not kept: " + status.resultOmitted());
    this.status = status;
  }

  /** The task's final status. */
  public TaskStatus status() {
    return status;
  }
}
