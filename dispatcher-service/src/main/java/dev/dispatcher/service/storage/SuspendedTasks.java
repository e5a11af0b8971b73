package dev.dispatcher.service.storage;

import java.sql.SQLException;
import java.util.Set;

/**
 * The task types suspended cluster-wide, one row per task name: every daemon sharing the database
 * reads the same set, so a suspension made through one daemon (or by SQL) holds on all of them and
 * survives their restarts.
 */
public interface SuspendedTasks {

  /** The most names the table may hold: a suspension beyond it is refused (the set is read whole, often). */
  int MAX_SUSPENDED = 1000;

  /** The suspended task names, now. */
  Set<String> suspended() throws SQLException;

  /**
   * Suspends a task type; true if it was not suspended before.
   *
   * @throws SQLException also when {@value #MAX_SUSPENDED} task types are suspended already
   */
  boolean suspend(String task, String by) throws SQLException;

  /** Resumes a task type; true if it was suspended. */
  boolean resume(String task) throws SQLException;
}
