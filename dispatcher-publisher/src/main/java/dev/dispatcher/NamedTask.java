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
    return submit(Arrays.asList(args));
  }

  /** The same task, published with these options. */
  public NamedTask withOptions(SubmitOptions options) {
    return new NamedTask(definition(), submitter(), options);
  }
}
