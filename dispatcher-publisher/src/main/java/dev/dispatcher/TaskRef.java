package dev.dispatcher;

import dev.dispatcher.status.TaskHandle;
import dev.dispatcher.wire.ResultNotices;
import java.util.List;
import java.util.Map;

/**
 * A task that can be published. Typed references ({@link TaskRef2} and friends) come from method
 * references and check argument types at compile time; {@link NamedTask} comes from a name.
 */
public abstract sealed class TaskRef
    permits NamedTask, TaskRef0, TaskRef1, TaskRef2, TaskRef3, TaskRef4, TaskRef5, TaskRef6 {

  private final TaskDefinition definition;
  private final TaskSubmitter submitter;
  private final SubmitOptions options;

  TaskRef(TaskDefinition definition, TaskSubmitter submitter, SubmitOptions options) {
    this.definition = definition;
    this.submitter = submitter;
    this.options = options;
  }

  /** The registered task name the daemon looks up. */
  public String name() {
    return definition.name();
  }

  /** The task's defaults, from its annotation (or none, for a named task). */
  public TaskDefinition definition() {
    return definition;
  }

  /**
   * Publishes one submission with explicit positional and named arguments and options.
   *
   * @param args positional arguments (may be empty)
   * @param kwargs named arguments, bound to parameter names (may be empty)
   * @param options per-submission options; null means {@link SubmitOptions#NONE}
   * @return the message uuid; for a durable submission, the row's; for one the result cache
   *     answered ({@link Task#cacheFor()}), the cached row's
   * @throws PublishException when the database refuses or cannot be reached
   * @throws IllegalArgumentException when an argument cannot be written as JSON, no channel is
   *     known, a durable submission is {@code serial} or past a durable limit, a fire-and-forget
   *     one sets {@code priority}, {@code maxAttempts} or {@code cacheFor}, or a batch is given one
   *     the result cache may answer
   */
  public String applyAsync(List<?> args, Map<String, ?> kwargs, SubmitOptions options) {
    MessageFactory.Encoded encoded = submitter.messages().encode(
        definition, args == null ? List.of() : args, kwargs == null ? Map.of() : kwargs,
        options == null ? SubmitOptions.NONE : options);
    return submitter.send(definition, encoded).uuid();
  }

  /**
   * As {@link #applyAsync}, returning a handle on the submission instead of its uuid: its status,
   * and its result once it finished (see {@link TaskHandle}). Only for a submission that has a row:
   * a durable one, or a fire-and-forget one of a task that records its runs ({@code @Task(record = true)}).
   * When the result cache answered it ({@link Task#cacheFor()}), the handle is on the cached row,
   * says {@link TaskHandle#cached()} and has its result at once.
   *
   * @throws IllegalArgumentException as {@link #applyAsync} does, and when the submission would have
   *     no row (fire-and-forget, not recorded) or its uuid ({@link SubmitOptions#uuid}) is not a uuid
   * @throws PublishException when the database refuses or cannot be reached
   */
  public TaskHandle submit(List<?> args, Map<String, ?> kwargs, SubmitOptions options) {
    MessageFactory.Encoded encoded = submitter.messages().encode(
        definition, args == null ? List.of() : args, kwargs == null ? Map.of() : kwargs,
        options == null ? SubmitOptions.NONE : options);
    if (!(encoded instanceof MessageFactory.Enqueued) && !definition.record()) {
      throw new IllegalArgumentException("task " + definition.name() + ": a fire-and-forget submission leaves no row to follow;"
          + " make it durable (SubmitOptions.builder().durable(true), @Task(durable = true)) or have the task record its runs"
          + " (@Task(record = true)), or publish it with delay(...) or applyAsync(...)");
    }
    if (!ResultNotices.isUuid(encoded.uuid())) {
      throw new IllegalArgumentException("task " + definition.name() + ": a handle needs a uuid, and SubmitOptions.uuid is '"
          + encoded.uuid() + "'");
    }
    return submitter.handle(submitter.send(definition, encoded));
  }

  String publish(List<?> args) {
    return applyAsync(args, Map.of(), options);
  }

  TaskHandle submitForHandle(List<?> args) {
    return submit(args, Map.of(), options);
  }

  TaskSubmitter submitter() {
    return submitter;
  }

  SubmitOptions options() {
    return options;
  }
}
