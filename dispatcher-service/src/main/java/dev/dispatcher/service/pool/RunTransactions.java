package dev.dispatcher.service.pool;

import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a run's transaction ({@code context.transaction()}) ends when nothing else joins it: commit
 * after a success, rollback otherwise, then the connection goes back. A durable run's completer
 * commits it itself, together with the row's completion.
 */
public final class RunTransactions {

  private static final Logger log = LoggerFactory.getLogger(RunTransactions.class);

  private RunTransactions() {}

  /** Commits after a success (a failing commit turns the outcome into a failure), rolls back otherwise. */
  static Outcome end(Connection transaction, Outcome outcome) {
    try {
      if (outcome instanceof Outcome.Succeeded) {
        transaction.commit();
        return outcome;
      }
      transaction.rollback();
      return outcome;
    } catch (SQLException e) {
      return outcome instanceof Outcome.Succeeded ? new Outcome.Failed(e) : outcome;
    } finally {
      close(transaction);
    }
  }

  /** Rolls back what the task wrote (it did not succeed, or its completion could not join it) and returns the connection. */
  public static void rollbackAndClose(Connection transaction) {
    try {
      transaction.rollback();
    } catch (SQLException e) {
      log.warn("rolling back a task's transaction failed: {}", e.toString());
    } finally {
      close(transaction);
    }
  }

  /** Returns the connection to its pool (a connection that cannot be closed is broken anyway). */
  public static void close(Connection transaction) {
    try {
      transaction.close();
    } catch (SQLException e) {
      log.debug("closing a task's transaction failed: {}", e.toString());
    }
  }
}
