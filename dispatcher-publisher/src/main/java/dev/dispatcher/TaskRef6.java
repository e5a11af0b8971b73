package dev.dispatcher;

/**
 * A task with 6 parameters, from a method reference: {@code publisher.task(Tasks::method)}.
 * {@link #delay} publishes with the task's defaults; {@link #withOptions} gives a reference that
 * publishes with other options.
 */
public final class TaskRef6<A, B, C, D, E, F> extends TaskRef {

  TaskRef6(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    super(definition, submitter, options);
  }

  /** Publishes one submission and returns its uuid. */
  public String delay(A a, B b, C c, D d, E e, F f) {
    return publish(java.util.Arrays.asList(a, b, c, d, e, f));
  }

  /**
   * Publishes one durable or recorded submission and returns a handle on it: its status, and its
   * result once it finished (see {@link dev.dispatcher.status.TaskHandle}).
   *
   * @throws IllegalArgumentException when the submission is fire-and-forget and its task does not
   *     record its runs ({@code @Task(record = true)}): no row would ever tell how it ended
   */
  public dev.dispatcher.status.TaskHandle submit(A a, B b, C c, D d, E e, F f) {
    return submitForHandle(java.util.Arrays.asList(a, b, c, d, e, f));
  }

  /** The same task, published with these options. */
  public TaskRef6<A, B, C, D, E, F> withOptions(SubmitOptions options) {
    return new TaskRef6<>(definition(), submitter(), options);
  }
}
