package dev.dispatcher.service.pool;

import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.registry.RegisteredTask;

/**
 * A task ready to run: the message, the method it names, the arguments already bound (bad
 * arguments never reach the pool), and the state of its run. Identity matters: each submission is
 * its own {@code Work}, even when two are equal field by field.
 */
public final class Work {

  private final TaskMessage message;
  private final RegisteredTask task;
  private final Object[] arguments;
  private final RunState state = new RunState();
  private final dev.dispatcher.OnDuplicate onDuplicate;
  private final double timeoutSeconds;
  private final DuplicateKey duplicateKey;
  private final DurableClaim claim;

  /** Fire-and-forget work. */
  public Work(TaskMessage message, RegisteredTask task, Object[] arguments) {
    this(message, task, arguments, null);
  }

  /**
   * @param claim the durable row this work runs, or null for fire-and-forget work. Durable work is
   *     always admitted as parallel: its table applied on_duplicate when the row went in.
   */
  public Work(TaskMessage message, RegisteredTask task, Object[] arguments, DurableClaim claim) {
    this.message = message;
    this.task = task;
    this.arguments = arguments;
    this.claim = claim;
    // The message decides; where it is silent, the task's @Task defaults apply (e.g. for Python publishers).
    this.onDuplicate = claim != null ? dev.dispatcher.OnDuplicate.PARALLEL
        : message.onDuplicateGiven() ? message.onDuplicate() : task.definition().onDuplicate();
    this.timeoutSeconds = message.timeoutSeconds() > 0 ? message.timeoutSeconds() : task.definition().timeoutSeconds();
    this.duplicateKey = new DuplicateKey(message.task(), message.args(), message.kwargs()); // hashed here, not under the pool's lock
  }

  /** The duplicate policy in force: the message's, else the task's default. */
  public dev.dispatcher.OnDuplicate onDuplicate() {
    return onDuplicate;
  }

  /** The timeout in force in seconds (0: none): the message's, else the task's default. */
  public double timeoutSeconds() {
    return timeoutSeconds;
  }

  public TaskMessage message() {
    return message;
  }

  public RegisteredTask task() {
    return task;
  }

  public Object[] arguments() {
    return arguments;
  }

  public RunState state() {
    return state;
  }

  /** The durable row this work runs, or null for fire-and-forget work. */
  public DurableClaim claim() {
    return claim;
  }

  /** Two submissions are duplicates when task, args and kwargs are equal (JSON equality). */
  DuplicateKey duplicateKey() {
    return duplicateKey;
  }

  @Override
  public String toString() {
    return message.uuid() + " " + message.task();
  }
}
