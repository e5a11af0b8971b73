package dev.dispatcher;

/**
 * A task with 3 parameters, from a method reference: {@code publisher.task(Tasks::method)}.
 * {@link #delay} publishes with the task's defaults; {@link #withOptions} gives a reference that
 * publishes with other options.
 */
public final class TaskRef3<A, B, C> extends TaskRef {

  TaskRef3(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    super(definition, submitter, options);
  }

  /** Publishes one submission and returns its uuid. */
  public String delay(A a, B b, C c) {
    return submit(java.util.Arrays.asList(a, b, c));
  }

  /** The same task, published with these options. */
  public TaskRef3<A, B, C> withOptions(SubmitOptions options) {
    return new TaskRef3<>(definition(), submitter(), options);
  }
}
