package dev.dispatcher.tools.postgres;

/**
 * A demo database could not be started, reached, stopped or recorded. The message is a complete
 * sentence fragment meant to be printed as is after "postgres start failed: " or similar.
 */
public final class DemoDatabaseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DemoDatabaseException(String message) {
    super(message);
  }

  public DemoDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
