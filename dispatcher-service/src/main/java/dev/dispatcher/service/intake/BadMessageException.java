package dev.dispatcher.service.intake;

/** A payload that is not a usable task message; the message says what is wrong with it. */
public final class BadMessageException extends RuntimeException {
  public BadMessageException(String message) {
    super(message);
  }
}
