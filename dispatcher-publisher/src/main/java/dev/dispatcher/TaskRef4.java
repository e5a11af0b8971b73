package dev.dispatcher;

/**
 * A task with 4 parameters, from a method reference: {@code publisher.task(Tasks::method)}.
 * {@link #delay} publishes with the task's defaults; {@link #withOptions} gives a reference that
 * publishes with other options.
 */
public final class TaskRef4<A, B, C, D> extends TaskRef {

  TaskRef4(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    super(definition, submitter, options);
  }

  /** Publishes one submission and returns its uuid. */
  public String delay(A a, B b, C c, D d) {
    return submit(java.util.Arrays.asList(a, b, c, d));
  }

  /** The same task, published with these options. */
  public TaskRef4<A, B, C, D> withOptions(SubmitOptions options) {
    return new TaskRef4<>(definition(), submitter(), options);
  }
}
