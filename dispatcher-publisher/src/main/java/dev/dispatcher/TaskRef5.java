package dev.dispatcher;

/**
 * A task with 5 parameters, from a method reference: {@code publisher.task(Tasks::method)}.
 * {@link #delay} publishes with the task's defaults; {@link #withOptions} gives a reference that
 * publishes with other options.
 */
public final class TaskRef5<A, B, C, D, E> extends TaskRef {

  TaskRef5(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    super(definition, submitter, options);
  }

  /** Publishes one submission and returns its uuid. */
  public String delay(A a, B b, C c, D d, E e) {
    return submit(java.util.Arrays.asList(a, b, c, d, e));
  }

  /** The same task, published with these options. */
  public TaskRef5<A, B, C, D, E> withOptions(SubmitOptions options) {
    return new TaskRef5<>(definition(), submitter(), options);
  }
}
