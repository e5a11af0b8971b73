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
    return submit(java.util.Arrays.asList(a, b, c, d, e, f));
  }

  /** The same task, published with these options. */
  public TaskRef6<A, B, C, D, E, F> withOptions(SubmitOptions options) {
    return new TaskRef6<>(definition(), submitter(), options);
  }
}
