package dev.dispatcher.service.storage;

import java.sql.SQLException;

/**
 * A batch of outcomes whose COMMIT was sent but not answered (the connection broke, the server
 * went away): it may have been committed or not. Its transaction's id tells which, once the
 * database answers again ({@link DurableTasks#commitState}); until then it must not be taken as
 * failed, or a batch already written would be written again and its rows, finished already,
 * reported as leases lost.
 */
public final class UnconfirmedCommitException extends SQLException {

  private static final long serialVersionUID = 1L;

  private final long transactionId;
  private final int written;

  UnconfirmedCommitException(long transactionId, int written, SQLException cause) {
    super("the COMMIT of transaction " + transactionId + " was not answered: " + cause.getMessage(), cause.getSQLState(), cause);
    this.transactionId = transactionId;
    this.written = written;
  }

  /** The transaction's id ({@code pg_current_xact_id()}). */
  public long transactionId() {
    return transactionId;
  }

  /** The rows its statements wrote, written for good if it was committed. */
  public int written() {
    return written;
  }
}
