package dev.dispatcher;

/**
 * Thrown by a durable task to fail for good at once, whatever attempts it has left: the task goes
 * to {@code failed} (the dead letter) with this error. The cause, if any, is what is recorded. In a
 * fire-and-forget task it is an ordinary failure.
 *
 * <pre>{@code
 * if (order == null) {
 *   throw new DoNotRetry("order " + id + " does not exist", null);
 * }
 * }</pre>
 */
public final class DoNotRetry extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DoNotRetry(String message, Throwable cause) {
    super(message, cause);
  }
}
