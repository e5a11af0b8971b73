package dev.dispatcher.service.pool;

import dev.dispatcher.service.hooks.TaskOutcome;
import dev.dispatcher.service.metrics.OutcomeKind;

/** How one run of a task ended: what the runner hands to the {@link Completer}. */
public sealed interface Outcome {

  /** The method returned. */
  record Succeeded(Object result) implements Outcome {}

  /** The method threw. */
  record Failed(Throwable error) implements Outcome {}

  /** Interrupted at its timeout; {@code error} is what it threw after that, or null. */
  record TimedOut(Throwable error) implements Outcome {}

  /** Cancelled while it ran. */
  record Cancelled() implements Outcome {}

  /** The hooks' name for this outcome. */
  default TaskOutcome.Status status() {
    return switch (this) {
      case Succeeded succeeded -> TaskOutcome.Status.SUCCEEDED;
      case Failed failed -> TaskOutcome.Status.FAILED;
      case TimedOut timedOut -> TaskOutcome.Status.TIMED_OUT;
      case Cancelled cancelled -> TaskOutcome.Status.CANCELLED;
    };
  }

  /** The name this outcome is counted by. */
  default OutcomeKind kind() {
    return switch (this) {
      case Succeeded succeeded -> OutcomeKind.SUCCEEDED;
      case Failed failed -> OutcomeKind.FAILED;
      case TimedOut timedOut -> OutcomeKind.TIMED_OUT;
      case Cancelled cancelled -> OutcomeKind.CANCELLED;
    };
  }

  /** The return value, or null. */
  default Object result() {
    return this instanceof Succeeded succeeded ? succeeded.result() : null;
  }

  /** What the method threw, or null. */
  default Throwable error() {
    return switch (this) {
      case Failed failed -> failed.error();
      case TimedOut timedOut -> timedOut.error();
      default -> null;
    };
  }
}
