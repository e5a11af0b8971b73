package dev.dispatcher;

import java.util.Arrays;

/**
 * A task known by name only, e.g. one a Python service registered:
 * {@code publisher.task("app.tasks.send_email").delay("ops@example.com")}. Arguments are not
 * checked until the daemon binds them.
 */
public final class NamedTask extends TaskRef {

  NamedTask(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    super(definition, submitter, options);
  }

  /** Publishes one submission with positional arguments and returns its uuid. */
  public String delay(Object... args) {
    return publish(Arrays.asList(args));
  }

  /**
   * Publishes one submission with positional arguments and returns a handle on it. A task known by
   * name is fire-and-forget unless the options say {@code durable(true)}: a handle needs a row.
   *
   * @throws IllegalArgumentException when the submission is fire-and-forget (a task known by name
   *     may record its runs on the daemon, which this side cannot know: use {@code
   *     publisher.handle(uuid)} for that)
   */
  public dev.dispatcher.status.TaskHandle submit(Object... args) {
    return submitForHandle(Arrays.asList(args));
  }

  /** The same task, published with these options. */
  public NamedTask withOptions(SubmitOptions options) {
    return new NamedTask(definition(), submitter(), options);
  }
}
