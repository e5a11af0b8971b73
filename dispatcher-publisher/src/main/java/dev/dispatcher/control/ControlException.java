package dev.dispatcher.control;

/** A control message could not be sent or its replies not received (the database failed). */
public final class ControlException extends RuntimeException {

  public ControlException(String message, Throwable cause) {
    super(message, cause);
  }
}
