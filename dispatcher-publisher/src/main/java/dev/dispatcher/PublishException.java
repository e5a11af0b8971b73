package dev.dispatcher;

/** The database did not take a submission; nothing of it was published. */
public final class PublishException extends RuntimeException {
  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
