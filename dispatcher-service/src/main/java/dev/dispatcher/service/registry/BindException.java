package dev.dispatcher.service.registry;

/** The message's arguments do not fit the task's parameters; the message names the parameter. */
public final class BindException extends Exception {
  public BindException(String message) {
    super(message);
  }
}
