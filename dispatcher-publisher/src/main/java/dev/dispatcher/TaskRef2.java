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
    return submit(java.util.Arrays.asList(a, b));
  }

  /** The same task, published with these options. */
  public TaskRef2<A, B> withOptions(SubmitOptions options) {
    return new TaskRef2<>(definition(), submitter(), options);
  }
}
