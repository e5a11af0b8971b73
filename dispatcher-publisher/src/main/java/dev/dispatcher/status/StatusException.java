package dev.dispatcher.status;

/** Reading the task table failed: the database is unreachable, refused the statement, or has no such table yet. */
public final class StatusException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StatusException(String message, Throwable cause) {
    super(message, cause);
  }
}
