package dev.dispatcher;

import dev.dispatcher.jdbc.DurableEnqueuer;
import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.wire.DurableRow;
import dev.dispatcher.wire.Notification;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The statements of one publish: {@code enqueue_many} for its durable rows, {@code pg_notify} for
 * its notifications, each left out when it has nothing to send. Two go in one transaction: a
 * publish is taken whole or not at all.
 */
final class PublishStatements {

  /** One of the statements failed: which one, and on which channel (its first). */
  static final class Failed extends SQLException {
    private final String statement;
    private final boolean durable;
    private final String channel;

    Failed(String statement, boolean durable, String channel, SQLException cause) {
      super(cause.getMessage(), cause.getSQLState(), cause);
      this.statement = statement;
      this.durable = durable;
      this.channel = channel;
    }

    /** {@code pg_notify on channel 'tasks'}, {@code "dispatcher".enqueue_many on channel 'emails'}. */
    String statement() {
      return statement;
    }

    boolean durable() {
      return durable;
    }

    String channel() {
      return channel;
    }

    SQLException sqlCause() {
      return (SQLException) getCause();
    }
  }

  private final List<Notification> notifications;
  private final List<DurableRow> rows;
  private final DurableEnqueuer enqueuer;
  private final int timeoutSeconds;
  /** Whether {@code enqueue_many}'s answers are read (rows the result cache may answer), else left unread. */
  private final boolean readAnswers;
  private List<String> answers = List.of();

  /** @param timeoutSeconds each statement's limit ({@code setQueryTimeout}); 0: none */
  PublishStatements(List<Notification> notifications, List<DurableRow> rows, DurableEnqueuer enqueuer, int timeoutSeconds) {
    this(notifications, rows, enqueuer, timeoutSeconds, false);
  }

  /**
   * @param timeoutSeconds each statement's limit ({@code setQueryTimeout}); 0: none
   * @param readAnswers whether to keep the uuids {@code enqueue_many} answers with ({@link #answers()})
   */
  PublishStatements(List<Notification> notifications, List<DurableRow> rows, DurableEnqueuer enqueuer, int timeoutSeconds,
      boolean readAnswers) {
    this.notifications = notifications;
    this.rows = rows;
    this.enqueuer = enqueuer;
    this.timeoutSeconds = timeoutSeconds;
    this.readAnswers = readAnswers;
  }

  /** After a run with {@code readAnswers}: the uuids {@code enqueue_many} answered, in order; else empty. */
  List<String> answers() {
    return answers;
  }

  /** The channel a message about the publish names: its first notification's or row's. */
  String channel() {
    return rows.isEmpty() ? notifications.get(0).channel() : rows.get(0).channel();
  }

  /** What a failure outside the statements themselves (a commit, say) is reported as. */
  String describe() {
    return rows.isEmpty() ? notifyStatement() : enqueueStatement();
  }

  /**
   * Runs the statements on the connection, in whatever transaction it is in. When there are two and
   * the connection is in auto-commit, they get a transaction of their own, and auto-commit is back
   * on afterwards.
   *
   * @throws Failed when a statement fails
   * @throws SQLException when the transaction cannot be begun or committed
   */
  void runAtomically(Connection connection) throws SQLException {
    if (rows.isEmpty() || notifications.isEmpty() || !connection.getAutoCommit()) {
      run(connection);
      return;
    }
    connection.setAutoCommit(false);
    try {
      run(connection);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      rollback(connection, e);
      throw e;
    } finally {
      restoreAutoCommit(connection);
    }
  }

  private void run(Connection connection) throws SQLException {
    if (!rows.isEmpty()) {
      try {
        if (readAnswers) {
          answers = enqueuer.enqueueAnswered(connection, rows, timeoutSeconds);
        } else {
          enqueuer.enqueue(connection, rows, timeoutSeconds);
        }
      } catch (SQLException e) {
        throw new Failed(enqueueStatement(), true, rows.get(0).channel(), e);
      }
    }
    if (!notifications.isEmpty()) {
      try {
        NotifySender.send(connection, notifications, timeoutSeconds);
      } catch (SQLException e) {
        throw new Failed(notifyStatement(), false, notifications.get(0).channel(), e);
      }
    }
  }

  private String enqueueStatement() {
    return "\"" + enqueuer.schema() + "\".enqueue_many on channel '" + rows.get(0).channel() + "'";
  }

  private String notifyStatement() {
    return "pg_notify on channel '" + notifications.get(0).channel() + "'";
  }

  private static void rollback(Connection connection, Exception failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e); // the failure is what matters; an open transaction ends with the connection's close
    }
  }

  private static void restoreAutoCommit(Connection connection) {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // the connection is broken: the publish is already decided (committed or failed), and the
      // pool discards a broken connection when it is closed
    }
  }
}
