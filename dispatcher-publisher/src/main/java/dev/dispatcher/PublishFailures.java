package dev.dispatcher;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;

/**
 * Turns what went wrong in a publish into a {@link PublishException} that says which limit it hit,
 * or what to do about it.
 */
final class PublishFailures {

  /** Postgres's SQLSTATE for a statement cancelled (here: by the query timeout). */
  private static final String QUERY_CANCELED = "57014";
  /** No function (42883), no table (42P01), no schema (3F000): the daemon's migrations never ran there. */
  private static final Set<String> NOT_MIGRATED = Set.of("42883", "42P01", "3F000");
  /** No such column (42703): the daemon's migrations are older than this library. */
  private static final String UNDEFINED_COLUMN = "42703";
  /** Postgres's SQLSTATE for a privilege the user lacks. */
  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  private final Duration connectTimeout;
  private final Duration publishTimeout;
  private final boolean ownPool;
  private final String schema;

  /**
   * @param ownPool whether the publisher built its pool from a URL (then the connect timeout is its own)
   * @param schema the daemon's schema durable tasks go to
   */
  PublishFailures(Duration connectTimeout, Duration publishTimeout, boolean ownPool, String schema) {
    this.connectTimeout = connectTimeout;
    this.publishTimeout = publishTimeout;
    this.ownPool = ownPool;
    this.schema = schema;
  }

  /** The pool gave no connection: nothing was sent. */
  PublishException noConnection(String channel, SQLException cause) {
    return new PublishException(ownPool
        ? "cannot publish on channel '" + channel + "': no connection to the database within " + seconds(connectTimeout)
            + " (Publisher.builder().connectTimeout): " + rootMessage(cause)
        : "cannot publish on channel '" + channel + "': the DataSource gave no connection: " + rootMessage(cause), cause);
  }

  /**
   * A statement, or the transaction around it, failed.
   *
   * @param statement what ran, for the message: {@code pg_notify on channel 'tasks'}
   * @param durable whether it was the durable rows' statement
   * @param channel the channel of its first notification or row
   * @param took how long the publish ran
   */
  PublishException statementFailed(String statement, boolean durable, String channel, SQLException e, Duration took) {
    if (QUERY_CANCELED.equals(e.getSQLState()) && took.compareTo(publishTimeout) >= 0) {
      return new PublishException(statement + " did not finish within " + seconds(publishTimeout)
          + " (Publisher.builder().publishTimeout) and was cancelled: " + e.getMessage(), e);
    }
    if (causedBy(e, SocketTimeoutException.class)) {
      return new PublishException(statement + ": the database did not answer within "
          + seconds(took) + " (Publisher.builder().publishTimeout is " + seconds(publishTimeout)
          + "); the connection was closed, and whether the submission was published is unknown: " + e.getMessage(), e);
    }
    if (durable && NOT_MIGRATED.contains(e.getSQLState())) {
      return new PublishException("cannot enqueue durable tasks on channel '" + channel + "': the schema " + schema
          + " has no durable task table yet — start the daemon once or run `dispatcher-standalone migrate`"
          + " (if the daemon's database.schema is another, give it to Publisher.builder().schema): " + e.getMessage(), e);
    }
    if (durable && INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
      // enqueue_many runs with the caller's privileges; RETURNING reads the two columns back
      return new PublishException(statement + " failed: " + e.getMessage() + ". To enqueue durable tasks the database user"
          + " needs: GRANT USAGE ON SCHEMA " + schema + " TO <user>; GRANT INSERT, SELECT (uuid, channel) ON " + schema
          + ".tasks TO <user>", e);
    }
    return new PublishException(statement + " failed: " + e.getMessage(), e);
  }

  /** A read of the task table failed: the message says what to do when the schema lacks the table or its columns. */
  String readFailed(String what, SQLException e) {
    if (NOT_MIGRATED.contains(e.getSQLState()) || UNDEFINED_COLUMN.equals(e.getSQLState())) {
      return "cannot read " + what + ": the schema " + schema + " has no task table with results yet — start a daemon of this"
          + " version once or run `dispatcher-standalone migrate` (if the daemon's database.schema is another, give it to"
          + " Publisher.builder().schema): " + e.getMessage();
    }
    if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
      return "cannot read " + what + ": " + e.getMessage() + ". To read task status the database user needs: GRANT USAGE ON SCHEMA "
          + schema + " TO <user>; GRANT SELECT ON " + schema + ".tasks TO <user>";
    }
    if (QUERY_CANCELED.equals(e.getSQLState())) {
      return "cannot read " + what + ": the statement did not finish within " + seconds(publishTimeout)
          + " (Publisher.builder().publishTimeout) and was cancelled: " + e.getMessage();
    }
    return "cannot read " + what + ": " + e.getMessage();
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
  }

  /** The driver's reason ("Connection to host:port refused"), when there is one, not the pool's "timed out". */
  private static String rootMessage(SQLException e) {
    Throwable cause = e.getCause();
    return cause != null && cause.getMessage() != null ? cause.getMessage() : String.valueOf(e.getMessage());
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }
}
