package dev.dispatcher;

/**
 * A task with 0 parameters, from a method reference: {@code publisher.task(Tasks::method)}.
 * {@link #delay} publishes with the task's defaults; {@link #withOptions} gives a reference that
 * publishes with other options.
 */
public final class TaskRef0 extends TaskRef {

  TaskRef0(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    super(definition, submitter, options);
  }

  /** Publishes one submission and returns its uuid. */
  public String delay() {
    return publish(java.util.List.of());
  }

  /**
   * Publishes one durable or recorded submission and returns a handle on it: its status, and its
   * result once it finished (see {@link dev.dispatcher.status.TaskHandle}).
   *
   * @throws IllegalArgumentException when the submission is fire-and-forget and its task does not
   *     record its runs ({@code @Task(record = true)}): no row would ever tell how it ended
   */
  public dev.dispatcher.status.TaskHandle submit() {
    return submitForHandle(java.util.List.of());
  }

  /** The same task, published with these options. */
  public TaskRef0 withOptions(SubmitOptions options) {
    return new TaskRef0(definition(), submitter(), options);
  }
}
