package dev.dispatcher;

/**
 * A task with 1 parameter, from a method reference: {@code publisher.task(Tasks::method)}.
 * {@link #delay} publishes with the task's defaults; {@link #withOptions} gives a reference that
 * publishes with other options.
 */
public final class TaskRef1<A> extends TaskRef {

  TaskRef1(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    super(definition, submitter, options);
  }

  /** Publishes one submission and returns its uuid. */
  public String delay(A a) {
    return submit(java.util.Arrays.asList(a));
  }

  /** The same task, published with these options. */
  public TaskRef1<A> withOptions(SubmitOptions options) {
    return new TaskRef1<>(definition(), submitter(), options);
  }
}
