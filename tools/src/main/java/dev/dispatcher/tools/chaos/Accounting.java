package dev.dispatcher.tools.chaos;

import java.util.List;
import java.util.Map;

/**
 * The final count of a scenario, read from the task table and the journal after the drain.
 *
 * @param enqueued rows in the task table (every one came from the publisher: the table is emptied before each scenario)
 * @param completed rows in state completed
 * @param notCompletedByState the other rows by state: each is a lost task
 * @param acknowledgedMissing uuids whose enqueue was acknowledged but that have no row: each is a lost task
 * @param unconfirmed uuids of the batch in flight when the publisher stopped
 * @param unconfirmedPresent of those, how many made it into the table (counted in enqueued)
 * @param runTwice uuids with more than one journal row
 * @param extraRuns journal rows beyond the first per uuid
 * @param sameAttempt duplicated uuids where one attempt number shows twice in the journal
 * @param afterExpiredLease duplicated uuids (attempts distinct) whose row records an expired lease
 * @param afterFailedAttempt duplicated uuids (attempts distinct, no expired lease) whose row records a failed attempt
 * @param completedWithoutRun completed rows with no journal row (must be 0: the task journals before it returns)
 * @param retriedRows rows that needed more than one attempt
 * @param errorsByKind the rows' error entries by kind ("lease expired", "failed", ...)
 * @param firstFailure one failure message of a task attempt, or null
 * @param lostRows up to 10 rows not completed, described
 */
record Accounting(long enqueued, long completed, Map<String, Long> notCompletedByState, List<String> acknowledgedMissing, long unconfirmed,
    long unconfirmedPresent, long runTwice, long extraRuns, long sameAttempt, long afterExpiredLease, long afterFailedAttempt,
    long completedWithoutRun, long retriedRows, Map<String, Long> errorsByKind, String firstFailure, List<String> lostRows) {

  Accounting {
    notCompletedByState = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(notCompletedByState));
    acknowledgedMissing = List.copyOf(acknowledgedMissing);
    errorsByKind = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(errorsByKind));
    lostRows = List.copyOf(lostRows);
  }

  /** Tasks enqueued (or acknowledged) that did not complete. */
  long lost() {
    return notCompletedByState.values().stream().mapToLong(Long::longValue).sum() + acknowledgedMissing.size();
  }

  /** Duplicates none of the known causes explains. */
  long unexplainedDuplicates() {
    return runTwice - sameAttempt - afterExpiredLease - afterFailedAttempt;
  }
}
