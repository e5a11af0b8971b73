package dev.dispatcher.service.storage;

/**
 * The daemon's schema could not be brought up to date. {@link #unreachable()} tells a database
 * that did not answer (down, refusing or not yet accepting connections, rejecting the login), which
 * may pass, from one that answered and refused or failed the migration, which will not by itself.
 */
public final class StorageException extends RuntimeException {

  /** Why the migration did not happen. */
  public enum Reason {
    /** No session could be had: the database is down, refuses connections, or rejects the login. */
    UNREACHABLE,
    /** The database user lacks a privilege the migration needs (e.g. CREATE on the database). */
    NOT_PERMITTED,
    /** The migration failed on a database that answered (a changed migration, a failed statement, a lock not had). */
    FAILED
  }

  private final Reason reason;

  StorageException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** True when the database did not answer: trying again later may work. */
  public boolean unreachable() {
    return reason == Reason.UNREACHABLE;
  }
}
