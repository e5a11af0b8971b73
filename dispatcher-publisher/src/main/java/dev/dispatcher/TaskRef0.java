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
    return submit(java.util.List.of());
  }

  /** The same task, published with these options. */
  public TaskRef0 withOptions(SubmitOptions options) {
    return new TaskRef0(definition(), submitter(), options);
  }
}
