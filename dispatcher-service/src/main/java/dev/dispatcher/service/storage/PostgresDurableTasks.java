package dev.dispatcher.service.storage;

import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.wire.ResultNotices;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * {@link DurableTasks} on the table {@code <schema>.}{@value #TABLE} of migration V3. Batches go
 * as arrays ({@code unnest}), one statement per kind of outcome. The claim reads the partial index
 * {@code tasks_waiting} in its own order, so its plan does not hang on statistics a fresh or never
 * analyzed table does not have.
 */
final class PostgresDurableTasks implements DurableTasks {

  static final String TABLE = "tasks";

  private static final int QUERY_TIMEOUT_SECONDS = 30;
  /** How long a completion batch's session may sit idle inside its transaction before the server aborts it. */
  static final java.time.Duration IDLE_IN_BATCH_TIMEOUT = java.time.Duration.ofSeconds(10);
  /**
   * An outcome batch joins the table by its primary key, one lookup per outcome, and these settings
   * leave the planner nothing else. On a table it has no statistics of (autovacuum off, a fresh
   * backlog) it guessed 100 rows for the batch and few running rows, and compared every outcome
   * with every running row instead: hashing them (67 ms for 1,000 of 20,000), or, with hash joins
   * off, re-reading them from a materialized scan (118 ms for 1,000 outcomes and 1,000 running
   * rows, against 19 ms by the primary key). Its fence on the state is compared with a value of a
   * subquery ({@code (SELECT 'running')}) so the partial index of running rows cannot answer it.
   */
  static final String BATCH_PLAN_SETTINGS = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;"
      + " SET LOCAL enable_material = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;";
  private static final String WAITING = "('scheduled', 'available', 'retryable')";

  private final DataSource pool;
  private final SchemaMigrations migrations;
  private final String table;
  /** Where the uuids of finished rows are notified: {@code <schema>_results}. */
  private final String resultsSchema;

  PostgresDurableTasks(DataSource pool, SchemaMigrations migrations) {
    this.pool = pool;
    this.migrations = migrations;
    this.table = migrations.schema().qualify(TABLE);
    this.resultsSchema = migrations.schema().value();
  }

  @Override
  public void prepare() throws SQLException {
    migrations.ensureMigratedForSql();
  }

  @Override
  public boolean enqueue(String taskJson) throws SQLException {
    return enqueueAnswering(taskJson) != null;
  }

  @Override
  public String enqueueAnswering(String taskJson) throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection(); PreparedStatement enqueue = connection.prepareStatement(
        "SELECT u::text FROM " + migrations.schema().qualify("enqueue_many") + "(jsonb_build_array(?::jsonb)) AS u")) {
      enqueue.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      enqueue.setString(1, taskJson);
      try (ResultSet result = enqueue.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public String stateOf(String uuid) throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT state FROM " + table + " WHERE uuid = ?::uuid")) {
      select.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      select.setString(1, uuid);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public RowState rowState(String uuid) throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT state, channel FROM " + table + " WHERE uuid = ?::uuid")) {
      select.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      select.setString(1, uuid);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? new RowState(result.getString(1), result.getString(2)) : null;
      }
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public Map<String, Map<String, Long>> countsByTask() throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection(); PreparedStatement select = connection.prepareStatement(
        "SELECT task, state, count(*) FROM " + table + " GROUP BY task, state ORDER BY task, state LIMIT 100000")) {
      select.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          counts.computeIfAbsent(result.getString(1), task -> new LinkedHashMap<>()).put(result.getString(2), result.getLong(3));
        }
      }
      return counts;
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public List<ClaimedRow> claim(String channel, Collection<String> tasks, int max, String nodeId, Duration lease) throws SQLException {
    prepare();
    String picked = "SELECT id FROM " + table + " WHERE channel = ? AND state IN " + WAITING
        + " AND run_at <= now() AND task = ANY (?) ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
    try (Connection connection = pool.getConnection(); PreparedStatement claim = connection.prepareStatement(claimSql(picked))) {
      claim.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      claim.setString(1, channel);
      claim.setArray(2, connection.createArrayOf("text", tasks.toArray()));
      claim.setInt(3, max);
      claim.setString(4, nodeId);
      claim.setLong(5, lease.toMillis());
      return claimed(claim, max);
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public LimitedClaim claimLimited(String channel, Map<String, Integer> limits, int max, String nodeId, Duration lease)
      throws SQLException {
    if (limits.isEmpty() || max <= 0) {
      return new LimitedClaim(List.of(), false);
    }
    prepare();
    try (Connection connection = pool.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        // The lock first, the count in a later statement: under read committed that statement's
        // snapshot sees every claim committed by the node that held the lock before.
        List<String> locked = tryLocks(connection, limits.keySet());
        Map<String, Long> running = runningOf(connection, locked);
        boolean atLimit = locked.size() < limits.size(); // another node is claiming the others now
        List<String> allowedTasks = new ArrayList<>();
        List<Integer> allowances = new ArrayList<>();
        for (String task : locked) {
          long allowance = limits.get(task) - running.getOrDefault(task, 0L);
          if (allowance > 0) {
            allowedTasks.add(task);
            allowances.add((int) allowance);
          } else {
            atLimit = true;
          }
        }
        List<ClaimedRow> rows = allowedTasks.isEmpty() ? List.of() : claimAllowed(connection, channel, allowedTasks, allowances, max, nodeId,
            lease);
        connection.commit();
        for (int i = 0; i < allowedTasks.size() && !atLimit; i++) {
          String task = allowedTasks.get(i);
          atLimit = rows.stream().filter(row -> row.task().equals(task)).count() >= allowances.get(i);
        }
        return new LimitedClaim(rows, atLimit);
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  /** The tasks whose advisory lock this transaction got (none is waited for: the node holding one is claiming that task now). */
  private List<String> tryLocks(Connection connection, Collection<String> tasks) throws SQLException {
    List<String> names = new ArrayList<>(tasks);
    Long[] keys = new Long[names.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = concurrencyKey(names.get(i));
    }
    List<String> locked = new ArrayList<>(names.size());
    try (PreparedStatement lock = connection.prepareStatement(
        "SELECT l.n, pg_try_advisory_xact_lock(l.k) FROM unnest(?::bigint[]) WITH ORDINALITY AS l(k, n) ORDER BY l.n")) {
      lock.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      lock.setArray(1, connection.createArrayOf("bigint", keys));
      try (ResultSet result = lock.executeQuery()) {
        while (result.next()) {
          if (result.getBoolean(2)) {
            locked.add(names.get(result.getInt(1) - 1));
          }
        }
      }
    }
    return locked;
  }

  /**
   * The advisory lock key of a task's limit: the first 8 bytes of a SHA-256 of the schema and the
   * task name, so every daemon on the schema computes the same key, whatever its version or the
   * server's hash functions, and daemons of another schema on the same database other keys.
   */
  long concurrencyKey(String task) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(("dispatcher max_concurrency " + migrations.schema().value() + " " + task).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** Running rows of these tasks, every node's, by task (tasks without any absent). */
  private Map<String, Long> runningOf(Connection connection, List<String> tasks) throws SQLException {
    Map<String, Long> running = new HashMap<>();
    if (tasks.isEmpty()) {
      return running;
    }
    try (PreparedStatement count = connection.prepareStatement(
        "SELECT task, count(*) FROM " + table + " WHERE state = 'running' AND task = ANY (?) GROUP BY task")) {
      count.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      count.setArray(1, connection.createArrayOf("text", tasks.toArray()));
      try (ResultSet result = count.executeQuery()) {
        while (result.next()) {
          running.put(result.getString(1), result.getLong(2));
        }
      }
    }
    return running;
  }

  /** Claims, in the claim's order, at most {@code allowances[i]} rows of {@code tasks[i]}, at most {@code max} in all. */
  private List<ClaimedRow> claimAllowed(Connection connection, String channel, List<String> tasks, List<Integer> allowances, int max,
      String nodeId, Duration lease) throws SQLException {
    String picked = "SELECT p.id FROM unnest(?::text[], ?::integer[]) AS a(task, n) CROSS JOIN LATERAL (SELECT id, priority, run_at FROM "
        + table + " WHERE channel = ? AND state IN " + WAITING + " AND run_at <= now() AND task = a.task"
        + " ORDER BY priority DESC, run_at, id LIMIT a.n FOR UPDATE SKIP LOCKED) p ORDER BY p.priority DESC, p.run_at, p.id LIMIT ?";
    try (PreparedStatement claim = connection.prepareStatement(claimSql(picked))) {
      claim.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      claim.setArray(1, connection.createArrayOf("text", tasks.toArray()));
      claim.setArray(2, connection.createArrayOf("integer", allowances.toArray()));
      claim.setString(3, channel);
      claim.setInt(4, max);
      claim.setString(5, nodeId);
      claim.setLong(6, lease.toMillis());
      return claimed(claim, max);
    }
  }

  /**
   * The claim's UPDATE of the rows {@code picked} selects (their ids, locked), then the node id and
   * the lease in milliseconds. Its transaction commits without waiting for the WAL flush
   * ({@code synchronous_commit = off} for it alone): a claim lost in a database crash only returns
   * its rows to where they were, to be claimed and run again, which a crash after a flushed claim
   * does too once the lease runs out; and a completion's flush, which is synchronous, makes every
   * earlier claim durable with it. That takes one WAL flush off the path from enqueue to start.
   */
  private String claimSql(String picked) {
    return "WITH picked AS (" + picked + "), unflushed AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))"
        + " UPDATE " + table + " t SET state = 'running', attempt = t.attempt + 1, attempted_at = now(), attempted_by = ?,"
        + " lease_until = now() + ? * interval '1 millisecond' FROM picked, unflushed WHERE t.id = picked.id"
        + " RETURNING t.id, t.uuid, t.task, t.channel, t.args::text, t.kwargs::text, t.message::text, t.attempt, t.max_attempts,"
        + " t.backoff_seconds, t.max_backoff_seconds, coalesce(t.timeout_seconds, 0), t.priority, t.run_at";
  }

  private static List<ClaimedRow> claimed(PreparedStatement claim, int max) throws SQLException {
    List<ClaimedRow> rows = new ArrayList<>(max);
    try (ResultSet result = claim.executeQuery()) {
      while (result.next()) {
        rows.add(new ClaimedRow(result.getLong(1), result.getString(2), result.getString(3), result.getString(4), result.getString(5),
            result.getString(6), result.getString(7), result.getInt(8), result.getInt(9), result.getDouble(10), result.getDouble(11),
            result.getDouble(12), result.getInt(13)));
      }
    }
    // RETURNING keeps no order: the claim's own (priority, then run_at, then id) decides which runs first
    rows.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(b.priority(), a.priority()) : Long.compare(a.id(), b.id()));
    return rows;
  }

  @Override
  public int writeProgress(List<ProgressUpdate> updates) throws SQLException {
    if (updates.isEmpty()) {
      return 0;
    }
    prepare();
    Long[] ids = new Long[updates.size()];
    Integer[] attempts = new Integer[updates.size()];
    Double[] fractions = new Double[updates.size()];
    String[] notes = new String[updates.size()];
    for (int i = 0; i < ids.length; i++) {
      ProgressUpdate update = updates.get(i);
      ids[i] = update.id();
      attempts[i] = update.attempt();
      fractions[i] = update.fraction();
      notes[i] = update.note();
    }
    // Locked rows are being completed: skipped, not waited for (waiting in another order than the
    // writer's batch could deadlock with it, as the heartbeat once did)
    String sql = "UPDATE " + table + " t SET progress = c.fraction, progress_note = c.note, progress_at = now()"
        + " FROM unnest(?::bigint[], ?::integer[], ?::double precision[], ?::text[]) AS c(id, attempt, fraction, note)"
        + " WHERE t.id = c.id AND t.attempt = c.attempt AND t.id IN (SELECT id FROM " + table
        + " WHERE id = ANY (?) AND state = 'running' FOR UPDATE SKIP LOCKED)";
    try (Connection connection = pool.getConnection(); PreparedStatement update = connection.prepareStatement(sql)) {
      update.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      Array idArray = connection.createArrayOf("bigint", ids);
      update.setArray(1, idArray);
      update.setArray(2, connection.createArrayOf("integer", attempts));
      update.setArray(3, connection.createArrayOf("float8", fractions));
      update.setArray(4, connection.createArrayOf("text", notes));
      update.setArray(5, idArray);
      return update.executeUpdate();
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public Set<Long> extendLeasesOf(Collection<Long> ids, String nodeId, Duration lease) throws SQLException {
    Set<Long> kept = new HashSet<>();
    if (ids.isEmpty()) {
      return kept;
    }
    prepare();
    try (Connection connection = pool.getConnection(); PreparedStatement extend = connection.prepareStatement(
        // Rows the completion writer is writing are locked: skipped, not waited for (locking them in
        // another order than the writer's batch deadlocked), and being finished anyway. What the node
        // still holds is read from the statement's snapshot, so a skipped row still counts as held.
        "WITH extended AS (UPDATE " + table + " SET lease_until = now() + ? * interval '1 millisecond' WHERE id IN (SELECT id FROM "
            + table + " WHERE id = ANY (?) AND state = 'running' AND attempted_by = ? FOR UPDATE SKIP LOCKED) RETURNING id)"
            + " SELECT id FROM " + table + " WHERE id = ANY (?) AND state = 'running' AND attempted_by = ?")) {
      extend.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      extend.setLong(1, lease.toMillis());
      Array held = connection.createArrayOf("bigint", ids.toArray());
      extend.setArray(2, held);
      extend.setString(3, nodeId);
      extend.setArray(4, held);
      extend.setString(5, nodeId);
      try (ResultSet result = extend.executeQuery()) {
        while (result.next()) {
          kept.add(result.getLong(1));
        }
      }
      return kept;
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public int complete(List<Completion> completions) throws SQLException {
    if (completions.isEmpty()) {
      return 0;
    }
    prepare();
    Batches batches = new Batches(completions);
    try (Connection connection = pool.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      boolean unanswered = false;
      try {
        try (Statement plan = connection.createStatement()) {
          // A COMMIT lost on its way (a network cut) leaves the server's session idle in this
          // transaction until TCP notices, hours by default: the writer, waiting for its outcome,
          // would hold every later batch, and the claims with them. The server ends it instead.
          // One round trip for all the settings.
          plan.execute(BATCH_PLAN_SETTINGS + " SET LOCAL idle_in_transaction_session_timeout = " + IDLE_IN_BATCH_TIMEOUT.toMillis());
        }
        long transactionId = transactionId(connection);
        int written = 0;
        List<String> finished = new ArrayList<>(); // their waiters are notified at the commit
        written += write(connection, batches.completed, 5, "state = 'completed', finished_at = now(), lease_until = NULL, result = c.v1::jsonb,"
            + " result_bytes = c.v2::integer, result_omitted = c.v3", finished);
        written += write(connection, batches.retry, 4, "state = 'retryable', run_at = to_timestamp(c.v2::double precision), lease_until = NULL,"
            + " errors = t.errors || jsonb_build_array(c.v1::jsonb)", null);
        written += write(connection, batches.failed, 3, "state = 'failed', finished_at = now(), lease_until = NULL,"
            + " errors = t.errors || jsonb_build_array(c.v1::jsonb)", finished);
        written += write(connection, batches.cancelled, 2, "state = 'cancelled', finished_at = now(), lease_until = NULL", finished);
        // a release gives the attempt number back, so another node's claim may carry it again: fenced by the node too
        written += write(connection, batches.released, 3, "state = 'available', attempt = t.attempt - 1, lease_until = NULL,"
            + " attempted_by = NULL", null, " AND t.attempted_by = c.v1");
        written += record(connection, batches.recorded, finished);
        notifyFinished(connection, finished);
        commit(connection, transactionId, written);
        return written;
      } catch (UnconfirmedCommitException e) {
        unanswered = true; // nothing to roll back or reset: the connection is gone, and the transaction may be committed
        throw e;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        if (!unanswered) {
          connection.setAutoCommit(autoCommit);
        }
      }
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  /** The id of the connection's transaction (it gets one now if it has none yet). */
  private static long transactionId(Connection connection) throws SQLException {
    try (Statement select = connection.createStatement(); ResultSet id = select.executeQuery("SELECT pg_current_xact_id()::text")) {
      id.next();
      return Long.parseLong(id.getString(1));
    }
  }

  /** COMMIT; one sent but not answered may have been committed or not: an {@link UnconfirmedCommitException} says so. */
  private static void commit(Connection connection, long transactionId, int written) throws SQLException {
    try {
      connection.commit();
    } catch (SQLException e) {
      throw new UnconfirmedCommitException(transactionId, written, e);
    }
  }

  @Override
  public CommitState commitState(long transactionId) throws SQLException {
    try (Connection connection = pool.getConnection();
        PreparedStatement state = connection.prepareStatement("SELECT pg_xact_status(?::xid8)")) {
      state.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      state.setString(1, Long.toString(transactionId));
      try (ResultSet result = state.executeQuery()) {
        String status = result.next() ? result.getString(1) : null;
        return status == null ? CommitState.UNKNOWN : switch (status) {
          case "committed" -> CommitState.COMMITTED;
          case "aborted" -> CommitState.ABORTED;
          case "in progress" -> CommitState.IN_PROGRESS;
          default -> CommitState.UNKNOWN;
        };
      }
    } catch (SQLException e) {
      if ("22023".equals(e.getSQLState())) {
        return CommitState.UNKNOWN; // "transaction ID … is in the future": not this server's
      }
      throw e;
    }
  }

  @Override
  public boolean completeIn(Connection transaction, Completion.Completed completed) throws SQLException {
    // the notification goes with the task's transaction: sent at its commit, never for a rollback
    try (PreparedStatement complete = transaction.prepareStatement("WITH done AS (UPDATE " + table + " SET state = 'completed',"
        + " finished_at = now(), lease_until = NULL, result = ?::jsonb, result_bytes = ?, result_omitted = ? WHERE id = ? AND attempt = ?"
        + " AND state = 'running' RETURNING uuid) SELECT count(*), count(pg_notify(?, uuid::text)) FROM done")) {
      complete.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      complete.setString(1, completed.resultJson());
      complete.setObject(2, completed.resultBytes(), java.sql.Types.INTEGER);
      complete.setString(3, completed.resultOmitted());
      complete.setLong(4, completed.id());
      complete.setInt(5, completed.attempt());
      complete.setString(6, ResultNotices.channel(resultsSchema));
      try (ResultSet result = complete.executeQuery()) {
        return result.next() && result.getLong(1) == 1;
      }
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  /** The uuids of rows that finished, on the results channel: a notification per 216 of them (8000 bytes). */
  private void notifyFinished(Connection connection, List<String> uuids) throws SQLException {
    if (!uuids.isEmpty()) {
      NotifySender.send(connection, ResultNotices.notifications(resultsSchema, uuids), QUERY_TIMEOUT_SECONDS);
    }
  }

  /** The recorded fire-and-forget runs, as finished rows; a uuid the table has already is left out. */
  private int record(Connection connection, List<Object[]> rows, List<String> finished) throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    String sql = "INSERT INTO " + table + " (uuid, task, channel, client, state, attempt, max_attempts, created_at, run_at, attempted_at,"
        + " finished_at, attempted_by, result, result_bytes, result_omitted, errors)"
        + " SELECT c.uuid::uuid, c.task, c.channel, c.client, c.state, 1, 1, to_timestamp(c.created::double precision),"
        + " to_timestamp(c.created::double precision), to_timestamp(c.started::double precision), now(), c.node, c.result::jsonb,"
        + " c.bytes::integer, c.omitted, CASE WHEN c.error IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(c.error::jsonb) END"
        + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
        + " ?::text[], ?::text[]) AS c(uuid, task, channel, client, state, created, started, node, result, bytes, omitted, error)"
        + " ON CONFLICT DO NOTHING RETURNING uuid::text";
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      insert.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      for (int column = 0; column < 12; column++) {
        Object[] values = new Object[rows.size()];
        for (int row = 0; row < values.length; row++) {
          values[row] = rows.get(row)[column];
        }
        insert.setArray(column + 1, connection.createArrayOf("text", values));
      }
      try (ResultSet inserted = insert.executeQuery()) {
        while (inserted.next()) {
          finished.add(inserted.getString(1));
        }
      }
    }
    return rows.size(); // a uuid recorded twice (a message replayed) is no lost lease
  }

  /**
   * One UPDATE for the rows of one kind of outcome: ids, attempts and text values per row; the uuids
   * of the rows it finished go to {@code finished} when given.
   */
  private int write(Connection connection, List<Object[]> rows, int columns, String set, List<String> finished) throws SQLException {
    return write(connection, rows, columns, set, finished, "");
  }

  /** As above, with more conditions ({@code fence}) on the row. */
  private int write(Connection connection, List<Object[]> rows, int columns, String set, List<String> finished, String fence)
      throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    try (PreparedStatement update = connection.prepareStatement(outcomeSql(columns, set, fence, finished != null))) {
      update.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      for (int column = 0; column < columns; column++) {
        Object[] values = new Object[rows.size()];
        for (int row = 0; row < values.length; row++) {
          values[row] = rows.get(row)[column];
        }
        String type = column == 0 ? "bigint" : column == 1 ? "integer" : "text";
        Array array = connection.createArrayOf(type, values);
        update.setArray(column + 1, array);
      }
      if (finished == null) {
        return update.executeUpdate();
      }
      int written = 0;
      try (ResultSet result = update.executeQuery()) {
        while (result.next()) {
          finished.add(result.getString(1));
          written++;
        }
      }
      return written;
    }
  }

  /**
   * The UPDATE of a kind of outcome: {@code columns} arrays (the ids, the attempts, then text values
   * {@code c.v1}, {@code c.v2} …), {@code set} applied to each running row of that id and attempt
   * that also meets {@code fence}; with {@code returning}, the rows' uuids. Run it under {@link
   * #BATCH_PLAN_SETTINGS}.
   */
  String outcomeSql(int columns, String set, String fence, boolean returning) {
    StringBuilder unnest = new StringBuilder("unnest(?::bigint[], ?::integer[]");
    StringBuilder names = new StringBuilder("id, attempt");
    for (int value = 1; value <= columns - 2; value++) {
      unnest.append(", ?::text[]");
      names.append(", v").append(value);
    }
    return "UPDATE " + table + " t SET " + set + " FROM " + unnest + ") AS c(" + names + ")"
        + " WHERE t.id = c.id AND t.attempt = c.attempt AND t.state = (SELECT 'running')" + fence + (returning ? " RETURNING t.uuid::text" : "");
  }

  /** Completions sorted by kind, each as the array columns of its UPDATE. */
  private static final class Batches {
    final List<Object[]> completed = new ArrayList<>();
    final List<Object[]> retry = new ArrayList<>();
    final List<Object[]> failed = new ArrayList<>();
    final List<Object[]> cancelled = new ArrayList<>();
    final List<Object[]> released = new ArrayList<>();
    final List<Object[]> recorded = new ArrayList<>();

    Batches(List<Completion> completions) {
      for (Completion completion : completions) {
        switch (completion) {
          case Completion.Completed c -> completed.add(new Object[] {c.id(), c.attempt(), c.resultJson(),
              c.resultBytes() == null ? null : c.resultBytes().toString(), c.resultOmitted()});
          case Completion.Retry r -> retry.add(new Object[] {r.id(), r.attempt(), r.errorJson(),
              Double.toString(r.runAt().getEpochSecond() + r.runAt().getNano() / 1e9)});
          case Completion.Failed f -> failed.add(new Object[] {f.id(), f.attempt(), f.errorJson()});
          case Completion.Cancelled c -> cancelled.add(new Object[] {c.id(), c.attempt()});
          case Completion.Released r -> released.add(new Object[] {r.id(), r.attempt(), r.node()});
          case Completion.Recorded r -> recorded.add(new Object[] {r.uuid(), r.task(), r.channel(), r.client(), r.state(),
              epochSeconds(r.createdAt()), epochSeconds(r.startedAt()), r.node(), r.resultJson(),
              r.resultBytes() == null ? null : r.resultBytes().toString(), r.resultOmitted(), r.errorJson()});
        }
      }
    }
  }

  private static String epochSeconds(java.time.Instant instant) {
    return Double.toString(instant.getEpochSecond() + instant.getNano() / 1e9);
  }

  @Override
  public List<Rescued> rescueExpired(int max) throws SQLException {
    prepare();
    String sql = "UPDATE " + table + " t SET"
        + " state = CASE WHEN t.attempt >= t.max_attempts THEN 'failed' ELSE 'retryable' END,"
        + " finished_at = CASE WHEN t.attempt >= t.max_attempts THEN now() END, run_at = now(), lease_until = NULL,"
        + " errors = t.errors || jsonb_build_array(jsonb_build_object('at', now(), 'attempt', t.attempt, 'node', t.attempted_by,"
        + " 'error', 'lease expired: the node running it stopped renewing it (killed, cut off or stuck)'))"
        + " WHERE t.id IN (SELECT id FROM " + table + " WHERE state = 'running' AND lease_until < now()"
        + " ORDER BY lease_until LIMIT ? FOR UPDATE SKIP LOCKED)"
        + " RETURNING t.uuid, t.task, t.attempted_by, t.attempt, t.state = 'failed'";
    try (Connection connection = pool.getConnection()) {
      return inTransaction(connection, () -> {
        List<Rescued> rescued = new ArrayList<>();
        try (PreparedStatement rescue = connection.prepareStatement(sql)) {
          rescue.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
          rescue.setInt(1, max);
          try (ResultSet result = rescue.executeQuery()) {
            while (result.next()) {
              rescued.add(new Rescued(result.getString(1), result.getString(2), result.getString(3), result.getInt(4), result.getBoolean(5)));
            }
          }
        }
        notifyFinished(connection, rescued.stream().filter(Rescued::failed).map(Rescued::uuid).toList());
        return rescued;
      });
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  /** A unit of work on a connection of the pool, in a transaction of its own. */
  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  private static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      T value = work.run();
      connection.commit();
      return value;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  @Override
  public CancelledRows cancelWaiting(String uuid, String taskName, int maxListed) throws SQLException {
    if (uuid == null && taskName == null || uuid != null && !isUuid(uuid)) {
      return CancelledRows.NONE; // no row has a uuid that is not one
    }
    prepare();
    // every matching row is cancelled (a data-modifying WITH runs to completion) and every one's uuid goes to the results
    // channel, 200 to a notification, at the commit; only the first rows are read back
    try (Connection connection = pool.getConnection(); PreparedStatement cancel = connection.prepareStatement(
        "WITH cancelled AS (UPDATE " + table + " SET state = 'cancelled', finished_at = now() WHERE state IN " + WAITING
            + " AND (?::uuid IS NULL OR uuid = ?::uuid) AND (?::text IS NULL OR task = ?) RETURNING id, uuid, task, channel),"
            + " notified AS (SELECT count(pg_notify(?, uuids)) AS n FROM (SELECT string_agg(uuid::text, ',') AS uuids FROM"
            + " (SELECT uuid, (row_number() OVER (ORDER BY id) - 1) / 200 AS chunk FROM cancelled) numbered GROUP BY chunk) chunks)"
            + " SELECT uuid::text, task, channel, count(*) OVER (), (SELECT n FROM notified) FROM cancelled ORDER BY id LIMIT ?")) {
      cancel.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      cancel.setString(1, uuid);
      cancel.setString(2, uuid);
      cancel.setString(3, taskName);
      cancel.setString(4, taskName);
      cancel.setString(5, ResultNotices.channel(resultsSchema));
      cancel.setInt(6, Math.max(1, maxListed)); // one row at least, for the count
      List<CancelledRow> listed = new ArrayList<>();
      long count = 0;
      try (ResultSet result = cancel.executeQuery()) {
        while (result.next()) {
          count = result.getLong(4);
          if (listed.size() < maxListed) {
            listed.add(new CancelledRow(result.getString(1), result.getString(2), result.getString(3)));
          }
        }
      }
      return new CancelledRows(count, listed);
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public boolean retry(String uuid) throws SQLException {
    if (!isUuid(uuid)) {
      return false;
    }
    prepare();
    // the doorbell of its channel, in the same statement: a listening daemon claims it at once, not at its next poll
    try (Connection connection = pool.getConnection(); PreparedStatement retry = connection.prepareStatement(
        "WITH again AS (UPDATE " + table + " SET state = 'available', run_at = now(), finished_at = NULL,"
            + " max_attempts = greatest(max_attempts, least(attempt + 1, 1000)) WHERE uuid = ?::uuid AND state IN ('failed', 'cancelled')"
            + " RETURNING channel) SELECT count(*), count(pg_notify(channel, '{\"doorbell\":\"durable\"}')) FROM again")) {
      retry.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      retry.setString(1, uuid);
      try (ResultSet result = retry.executeQuery()) {
        return result.next() && result.getLong(1) == 1;
      }
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public boolean discard(String uuid) throws SQLException {
    if (!isUuid(uuid)) {
      return false;
    }
    return updateOne("DELETE FROM " + table + " WHERE uuid = ?::uuid AND state IN ('failed', 'cancelled')", uuid);
  }

  private boolean updateOne(String sql, String uuid) throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection(); PreparedStatement update = connection.prepareStatement(sql)) {
      update.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      update.setString(1, uuid);
      return update.executeUpdate() == 1;
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public int deleteFinished(Duration completedRetention, Duration failedRetention, int max) throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection(); PreparedStatement delete = connection.prepareStatement(
        "DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table + " WHERE state IN ('completed', 'failed', 'cancelled')"
            + " AND finished_at < now() - CASE WHEN state = 'failed' THEN ? ELSE ? END * interval '1 millisecond' LIMIT ?)")) {
      delete.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      delete.setLong(1, failedRetention.toMillis());
      delete.setLong(2, completedRetention.toMillis());
      delete.setInt(3, max);
      return delete.executeUpdate();
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public long deadRows() throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection(); PreparedStatement stats = connection.prepareStatement(
        "SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = ? AND relname = ?")) {
      stats.setString(1, migrations.schema().value());
      stats.setString(2, TABLE);
      try (ResultSet result = stats.executeQuery()) {
        return result.next() ? result.getLong(1) : -1;
      }
    }
  }

  @Override
  public void vacuum() throws SQLException {
    prepare();
    try (Connection connection = pool.getConnection(); Statement vacuum = connection.createStatement()) {
      vacuum.setQueryTimeout(QUERY_TIMEOUT_SECONDS * 10);
      vacuum.execute("VACUUM (ANALYZE) " + table); // outside a transaction: the pool's connections autocommit
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  @Override
  public Map<String, Long> countByState() throws SQLException {
    prepare();
    Map<String, Long> counts = new LinkedHashMap<>();
    STATES.forEach(state -> counts.put(state, 0L));
    try (Connection connection = pool.getConnection(); Statement count = connection.createStatement()) {
      count.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      try (ResultSet result = count.executeQuery("SELECT state, count(*) FROM " + table + " GROUP BY state")) {
        while (result.next()) {
          counts.put(result.getString(1), result.getLong(2));
        }
      }
      return counts;
    } catch (SQLException e) {
      throw missingTable(e);
    }
  }

  private static boolean isUuid(String text) {
    try {
      UUID.fromString(text);
      return text.length() == 36;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private SQLException missingTable(SQLException e) {
    return MissingTable.explain(e, table, migrations);
  }
}
