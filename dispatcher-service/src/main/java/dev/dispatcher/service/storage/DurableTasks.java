package dev.dispatcher.service.storage;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The durable task table, as the daemon's parts use it: the claimer claims rows, the heartbeat
 * extends their leases, the completer writes outcomes in batches, the rescuer returns rows whose
 * lease ran out, the cleaner deletes finished rows past their retention. Every write to a claimed
 * row is fenced by its id and attempt: a node that lost a row's lease cannot overwrite a newer
 * attempt. Thread-safe.
 */
public interface DurableTasks {

  /** Every state a row can be in, in the order of its life. */
  List<String> STATES = List.of("scheduled", "available", "running", "retryable", "completed", "failed", "cancelled");

  /** A claimed row, running on this node under a lease. JSON columns come as text. */
  record ClaimedRow(long id, String uuid, String task, String channel, String argsJson, String kwargsJson, String messageJson,
      int attempt, int maxAttempts, double backoffSeconds, double maxBackoffSeconds, double timeoutSeconds, int priority) {}

  /** What became of one attempt; {@code id} and {@code attempt} fence the write. */
  sealed interface Completion {
    long id();

    int attempt();

    /**
     * The task succeeded; {@code resultJson} is its JSON result, or null (none, or not kept:
     * {@code resultOmitted} says why); {@code resultBytes} its size, kept or not, or null.
     */
    record Completed(long id, int attempt, String resultJson, Integer resultBytes, String resultOmitted) implements Completion {
      /** A result kept whole, its size not recorded. */
      public Completed(long id, int attempt, String resultJson) {
        this(id, attempt, resultJson, null, null);
      }
    }

    /** The attempt failed and another is due at {@code runAt}; {@code errorJson} is appended to the row's errors. */
    record Retry(long id, int attempt, Instant runAt, String errorJson) implements Completion {}

    /** The attempt failed and no other is left (or the task said not to retry): the dead letter. */
    record Failed(long id, int attempt, String errorJson) implements Completion {}

    /** The run was cancelled. */
    record Cancelled(long id, int attempt) implements Completion {}

    /**
     * Not run, or interrupted by this node's shutdown: back to available, the attempt not counted.
     * Fenced by {@code node} too: the attempt number goes back with the row, so another node's
     * claim of it may carry the same number again.
     */
    record Released(long id, int attempt, String node) implements Completion {}

    /**
     * A fire-and-forget run of a task that records its runs ({@code @Task(record = true)}): a new
     * row, finished already (its uuid once only: a second is left out). It has no row yet, so no id
     * nor attempt fence it: both are 0.
     *
     * @param state completed, failed or cancelled
     * @param errorJson the error entry of a failed run, or null
     */
    record Recorded(String uuid, String task, String channel, String client, String state, Instant createdAt, Instant startedAt,
        String node, String resultJson, Integer resultBytes, String resultOmitted, String errorJson) implements Completion {
      @Override
      public long id() {
        return 0;
      }

      @Override
      public int attempt() {
        return 0;
      }
    }
  }

  /** A row whose lease ran out, as the rescuer left it. */
  record Rescued(String uuid, String task, String node, int attempt, boolean failed) {}

  /** Makes sure the table is there (the schema's migrations). Idempotent. */
  void prepare() throws SQLException;

  /**
   * Enqueues one row as {@code <schema>.enqueue_many} does (a JSON object with task, channel and the
   * SQL API's other keys) and rings its channel; false when its uuid was enqueued already (or its
   * on_duplicate rule kept it out).
   */
  boolean enqueue(String taskJson) throws SQLException;

  /**
   * As {@link #enqueue}, returning the uuid that answers the submission: its own when its row went
   * in, a cached row's when the result cache answered it ({@code cache_for}), null when nothing went
   * in (its uuid was enqueued already, or its on_duplicate rule kept it out).
   */
  String enqueueAnswering(String taskJson) throws SQLException;

  /** The state of the row with this uuid, or null when there is none. */
  String stateOf(String uuid) throws SQLException;

  /** Where a row is: its state and channel (the queue whose daemons run it). */
  record RowState(String state, String channel) {}

  /** The state and channel of the row with this uuid, or null when there is none. */
  RowState rowState(String uuid) throws SQLException;

  /** Rows by task name, then by state (every node's), for the task types listing. */
  Map<String, Map<String, Long>> countsByTask() throws SQLException;

  /**
   * Claims up to {@code max} due rows of a channel whose task is one of {@code tasks}, highest
   * priority first, then by run_at; rows other nodes hold are skipped, not waited for.
   */
  List<ClaimedRow> claim(String channel, Collection<String> tasks, int max, String nodeId, Duration lease) throws SQLException;

  /**
   * What {@link #claimLimited} took: the rows, and whether some task may have more rows waiting
   * than it was allowed (it was at its limit, or took all it was allowed, or another node was
   * claiming it at that moment): worth a claim again once a run of it ends.
   */
  record LimitedClaim(List<ClaimedRow> rows, boolean atLimit) {}

  /**
   * As {@link #claim}, for tasks with a limit of runs at once on all nodes together ({@code limits}:
   * task name to its {@code maxConcurrency}). In one transaction it takes a transaction-scoped
   * advisory lock per task (a stable key from the schema and the task name; a task whose lock
   * another node holds at that moment is skipped, never waited for), counts each task's running
   * rows, every node's, and claims at most the rest of its limit, at most {@code max} in all.
   */
  LimitedClaim claimLimited(String channel, Map<String, Integer> limits, int max, String nodeId, Duration lease) throws SQLException;

  /** A running row's progress: written only while the row runs the same attempt. */
  record ProgressUpdate(long id, int attempt, double fraction, String note) {}

  /**
   * Writes the progress of running rows in one statement; returns how many rows took it. Rows the
   * completion writer holds are skipped (they are being finished), never waited for.
   */
  int writeProgress(List<ProgressUpdate> updates) throws SQLException;

  /** Extends the leases of this node's running rows; returns how many it still holds. */
  default int extendLeases(Collection<Long> ids, String nodeId, Duration lease) throws SQLException {
    return extendLeasesOf(ids, nodeId, lease).size();
  }

  /**
   * As {@link #extendLeases}, returning the ids of the rows it still holds: which of the others
   * were finished meanwhile (their outcome written) and which were taken by another node only the
   * caller can tell.
   */
  Set<Long> extendLeasesOf(Collection<Long> ids, String nodeId, Duration lease) throws SQLException;

  /**
   * Writes a batch of outcomes in one transaction; returns how many rows took them (the rest lost
   * their lease meanwhile; recorded runs count as taken). The uuids of the rows it finished
   * (completed, failed, cancelled, recorded) are notified on the schema's results channel in the
   * same transaction, so at its commit.
   *
   * @throws UnconfirmedCommitException when the COMMIT went unanswered: the batch may have been
   *     written; {@link #commitState} tells once the database answers
   */
  int complete(List<Completion> completions) throws SQLException;

  /** What became of a transaction, as far as the database can tell. */
  enum CommitState {
    COMMITTED,
    ABORTED,
    /** Still running: its session has not finished the commit (or the abort) yet. */
    IN_PROGRESS,
    /** Too old to tell, or not a transaction of this database (another server after a failover). */
    UNKNOWN
  }

  /** The state of the transaction with this id ({@link UnconfirmedCommitException#transactionId()}). */
  CommitState commitState(long transactionId) throws SQLException;

  /**
   * Marks a row completed on the given connection, inside the caller's transaction (a task's own:
   * its writes and its completion commit together), and notifies its uuid on the results channel;
   * false when the row's lease was lost (another node may run it): the caller then rolls back.
   */
  boolean completeIn(java.sql.Connection transaction, Completion.Completed completed) throws SQLException;

  /** As {@link #completeIn(java.sql.Connection, Completion.Completed)}, with a result kept whole. */
  default boolean completeIn(java.sql.Connection transaction, long id, int attempt, String resultJson) throws SQLException {
    return completeIn(transaction, new Completion.Completed(id, attempt, resultJson));
  }

  /**
   * Returns up to {@code max} rows whose lease ran out to retryable, or failed on their last
   * attempt (those notified on the results channel).
   */
  List<Rescued> rescueExpired(int max) throws SQLException;

  /** A row cancelled before any node claimed it. */
  record CancelledRow(String uuid, String task, String channel) {}

  /** What {@link #cancelWaiting} cancelled: how many rows, and the first of them (in the order they were enqueued). */
  record CancelledRows(long count, List<CancelledRow> listed) {
    public static final CancelledRows NONE = new CancelledRows(0, List.of());

    public CancelledRows {
      listed = List.copyOf(listed);
    }
  }

  /**
   * Cancels rows not running yet that match the uuid and/or the task name (null matches any; both
   * null match nothing); returns how many, listing at most {@code maxListed} of them. Every one's
   * uuid is notified on the results channel.
   */
  CancelledRows cancelWaiting(String uuid, String taskName, int maxListed) throws SQLException;

  /** A failed or cancelled row becomes available again with one more attempt allowed; false if there is none such. */
  boolean retry(String uuid) throws SQLException;

  /** Deletes a failed or cancelled row; false if there is none such. */
  boolean discard(String uuid) throws SQLException;

  /** Deletes up to {@code max} rows finished before their retention (completed and cancelled, failed); returns how many. */
  int deleteFinished(Duration completedRetention, Duration failedRetention, int max) throws SQLException;

  /** Dead rows of the table, as the statistics count them; -1 when unknown. */
  long deadRows() throws SQLException;

  /** VACUUMs (and analyzes) the table. */
  void vacuum() throws SQLException;

  /** Rows by state (every state, 0 included). */
  Map<String, Long> countByState() throws SQLException;
}
