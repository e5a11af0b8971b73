package dev.dispatcher.service.message;

/**
 * A payload that is not a usable task message; the message says what is wrong with it. Carries
 * no stack trace: a flood of bad messages is normal input, not a bug.
 */
public final class BadMessageException extends RuntimeException {

  private final String uuid;

  public BadMessageException(String message) {
    this(message, null);
  }

  /** @param uuid the message's uuid when it had a usable one, for the log line */
  public BadMessageException(String message, String uuid) {
    super(message, null, false, false);
    this.uuid = uuid;
  }

  /** The message's uuid, or null when it had none or it was itself wrong. */
  public String uuid() {
    return uuid;
  }
}
