package dev.dispatcher;

/**
 * A task with 2 parameters, from a method reference: {@code publisher.task(Tasks::method)}.
 * {@link #delay} publishes with the task's defaults; {@link #withOptions} gives a reference that
 * publishes with other options.
 */
public final class TaskRef2<A, B> extends TaskRef {

  TaskRef2(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    super(definition, submitter, options);
  }

  /** Publishes one submission and returns its uuid. */
  public String delay(A a, B b) {
    return publish(java.util.Arrays.asList(a, b));
  }

  /**
   * Publishes one durable or recorded submission and returns a handle on it: its status, and its
   * result once it finished (see {@link dev.dispatcher.status.TaskHandle}).
   *
   * @throws IllegalArgumentException when the submission is fire-and-forget and its task does not
   *     record its runs ({@code @Task(record = true)}): no row would ever tell how it ended
   */
  public dev.dispatcher.status.TaskHandle submit(A a, B b) {
    return submitForHandle(java.util.Arrays.asList(a, b));
  }

  /** The same task, published with these options. */
  public TaskRef2<A, B> withOptions(SubmitOptions options) {
    return new TaskRef2<>(definition(), submitter(), options);
  }
}
