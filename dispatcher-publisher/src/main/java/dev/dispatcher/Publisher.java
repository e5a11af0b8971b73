package dev.dispatcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.jdbc.DurableEnqueuer;
import dev.dispatcher.jdbc.SchemaNames;
import dev.dispatcher.jdbc.TaskRecordQueries;
import dev.dispatcher.status.RequestPage;
import dev.dispatcher.status.RequestQuery;
import dev.dispatcher.status.StatusException;
import dev.dispatcher.status.TaskHandle;
import dev.dispatcher.status.TaskStatus;
import dev.dispatcher.wire.ChannelNames;
import dev.dispatcher.wire.DurableRow;
import dev.dispatcher.wire.Notification;
import dev.dispatcher.wire.ResultNotices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Publishes tasks: fire-and-forget ones over {@code pg_notify}, durable ones ({@link Task#durable()},
 * {@link SubmitOptions#durable()}) as rows of the daemon's task table, written by the function
 * {@code <schema>.enqueue_many} that the daemon's migrations create. Thread-safe; one per
 * application is enough.
 *
 * <pre>{@code
 * try (Publisher publisher = Publisher.builder()
 *         .url("postgresql://app:secret@localhost:5432/app")   // or .dataSource(yourPool)
 *         .defaultChannel("tasks")
 *         .build()) {
 *   String uuid = publisher.task(EmailTasks::send).delay("ops@example.com", "hello");
 *
 *   // inside your transaction: published on commit, never on rollback
 *   try (Connection tx = dataSource.getConnection()) {
 *     tx.setAutoCommit(false);
 *     insertOrder(tx);
 *     publisher.inTransaction(tx).task(EmailTasks::send).delay("ops@example.com", "order placed");
 *     tx.commit();
 *   }
 *
 *   // durable: a row of dispatcher.tasks, which waits for a daemon and is retried
 *   publisher.task(BillingTasks::charge)
 *       .withOptions(SubmitOptions.builder().durable(true).build())
 *       .delay(42L);
 * }
 * }</pre>
 *
 * <p><b>Results and status.</b> {@link #status(String)} reads a task's row (state, attempts, result,
 * errors, progress); {@code submit(...)} on a task reference returns a {@link TaskHandle} whose
 * {@code result(timeout)} and {@code future()} wait for the task to finish, woken by the daemons'
 * notification on the schema's results channel: the publisher holds one listening connection for
 * that, opened at the first wait and closed by {@link #close()}; {@link #requests(RequestQuery)}
 * lists a client's requests.
 *
 * <pre>{@code
 * TaskHandle handle = publisher.task(ReportTasks::build)
 *     .withOptions(SubmitOptions.builder().durable(true).client("shop").build())
 *     .submit("2024-05");
 * JsonNode report = handle.result(Duration.ofMinutes(2));
 * }</pre>
 *
 * <p><b>The result cache.</b> A durable submission of a task with {@link Task#cacheFor()} (or with
 * {@link SubmitOptions#cacheFor()}) is answered, in the same {@code enqueue_many} statement, by a
 * completed row of the same task, args and kwargs that is young enough: nothing is inserted or
 * run, {@code delay(...)} returns that row's uuid and {@code submit(...)} a handle on it whose
 * {@link TaskHandle#cached()} is true. A submission without a cache costs the cache nothing.
 *
 * <p>A publish never waits long for a database that is down or does not answer: at most the
 * {@linkplain Builder#connectTimeout connect timeout} for a connection from the pool built from
 * {@link Builder#url}, then at most the {@linkplain Builder#publishTimeout publish timeout} for each
 * statement ({@code pg_notify}, {@code enqueue_many}); past either it throws a {@link
 * PublishException} saying which.
 */
public final class Publisher extends TaskFactory implements AutoCloseable {

  /** How long a publish waits for a connection by default, 5 s: see {@link Builder#connectTimeout}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** How long a publish's statement may take by default, 10 s: see {@link Builder#publishTimeout}. */
  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
  /** How often waits for results read their rows without a notification by default, 5 s: see {@link Builder#resultPollInterval}. */
  public static final Duration DEFAULT_RESULT_POLL_INTERVAL = Duration.ofSeconds(5);

  /** A read of the task table on a connection. */
  @FunctionalInterface
  private interface Read<T> {
    T on(Connection connection) throws SQLException;
  }

  /** Where a publish runs: on a pool's connection (own transaction each time) or on the caller's. */
  private sealed interface Target {
    void run(PublishStatements statements) throws SQLException;

    <T> T read(Read<T> read) throws SQLException;
  }

  private record PoolTarget(DataSource dataSource) implements Target {
    /** A connection of the pool; one it cannot give is a {@link NoConnection} (nothing was sent). */
    private Connection connect() throws NoConnection {
      try {
        return dataSource.getConnection();
      } catch (SQLException e) {
        throw new NoConnection(e);
      }
    }

    @Override
    public <T> T read(Read<T> read) throws SQLException {
      try (Connection connection = connect()) {
        T value = read.on(connection);
        if (!connection.getAutoCommit()) {
          connection.commit();
        }
        return value;
      }
    }

    @Override
    public void run(PublishStatements statements) throws SQLException {
      try (Connection connection = connect()) {
        statements.runAtomically(connection);
        if (!connection.getAutoCommit()) {
          connection.commit(); // a pool configured without auto-commit would otherwise roll it back
        }
      }
    }
  }

  private record ConnectionTarget(Connection connection) implements Target {
    @Override
    public void run(PublishStatements statements) throws SQLException {
      statements.runAtomically(connection);
    }

    @Override
    public <T> T read(Read<T> read) throws SQLException {
      return read.on(connection); // in the caller's transaction: its own uncommitted rows included
    }
  }

  /** The pool gave no connection: nothing was sent. */
  private static final class NoConnection extends SQLException {
    NoConnection(SQLException cause) {
      super(cause.getMessage(), cause.getSQLState(), cause);
    }
  }

  private final Target target;
  /** The publish timeout rounded up to what {@code setQueryTimeout} takes, for every target. */
  private final int statementSeconds;
  private final PublishFailures failures;
  private final DurableEnqueuer enqueuer;
  private final MessageFactory messages;
  private final MethodReferences methodReferences;
  private final HikariDataSource ownedPool;
  private final TaskRecordQueries records;
  /** The root publisher's: shared by the publishers {@link #inTransaction} makes, closed by the root only. */
  private final ResultListener results;
  private final boolean ownsResults;
  /** The root publisher's pool: handles read their rows there, not in a caller's transaction that may be over by then. */
  private final Target handleReads;
  private final TaskSubmitter submitter = new TaskSubmitter() {
    @Override
    public MessageFactory messages() {
      return messages;
    }

    @Override
    public TaskHandle handle(String uuid) {
      return Publisher.this.handle(uuid);
    }

    @Override
    public void accept(MessageFactory.Encoded submission) {
      if (submission instanceof MessageFactory.Notified notified) {
        Publisher.this.send(notified.notifications(), List.of());
      } else {
        Publisher.this.send(List.of(), List.of(((MessageFactory.Enqueued) submission).row()));
      }
    }

    @Override
    public Submitted send(TaskDefinition task, MessageFactory.Encoded submission) {
      if (!(submission instanceof MessageFactory.Enqueued enqueued) || !enqueued.row().cacheLookup()) {
        return TaskSubmitter.super.send(task, submission); // no cache: the statement as ever, its answer unread
      }
      List<String> answers = Publisher.this.send(List.of(), List.of(enqueued.row()), true);
      if (answers.isEmpty()) {
        return new Submitted(submission.uuid(), false); // on_duplicate kept it out, as without the cache
      }
      String uuid = answers.get(0);
      // the row went in under the uuid it was encoded with, or the cache answered with another row's
      return new Submitted(uuid, !uuid.equalsIgnoreCase(submission.uuid()));
    }

    @Override
    public TaskHandle handle(Submitted sent) {
      return Publisher.this.handle(sent.uuid(), sent.cached());
    }
  };

  private Publisher(Target target, int statementSeconds, PublishFailures failures, DurableEnqueuer enqueuer,
      MessageFactory messages, MethodReferences methodReferences, HikariDataSource ownedPool, TaskRecordQueries records,
      ResultListener results, boolean ownsResults, Target handleReads) {
    this.target = target;
    this.handleReads = handleReads;
    this.statementSeconds = statementSeconds;
    this.failures = failures;
    this.enqueuer = enqueuer;
    this.messages = messages;
    this.methodReferences = methodReferences;
    this.ownedPool = ownedPool;
    this.records = records;
    this.results = results;
    this.ownsResults = ownsResults;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A publisher that sends through the caller's connection, inside its current transaction: what
   * it publishes is delivered when that transaction commits and discarded if it rolls back (a
   * durable row is written by that transaction, so a rollback leaves no row). Closing the returned
   * publisher does not close the connection.
   */
  public Publisher inTransaction(Connection connection) {
    return new Publisher(new ConnectionTarget(Objects.requireNonNull(connection, "connection")), statementSeconds, failures,
        enqueuer, messages, methodReferences, null, records, results, false, handleReads);
  }

  /**
   * What the task table says about a task now: its state, attempts, timestamps, node, result,
   * errors and progress. Durable tasks have a row from their submission on; fire-and-forget ones
   * only once they finished, and only when their {@code @Task(record = true)}. Inside {@link
   * #inTransaction}, read in the caller's transaction.
   *
   * @return empty when there is no row (not committed yet, not recorded, or deleted after its retention)
   * @throws IllegalArgumentException when the text is not a uuid
   * @throws StatusException when the table cannot be read
   */
  public Optional<TaskStatus> status(String uuid) {
    return read(target, "the status of task " + uuid, connection -> records.status(connection, uuid, statementSeconds));
  }

  /**
   * A page of a client's requests ({@link SubmitOptions#client}), newest first, keyset-paged: pass
   * the page's {@link RequestPage#nextCursor()} to {@link RequestQuery#after} for the next.
   *
   * @throws StatusException when the table cannot be read
   */
  public RequestPage requests(RequestQuery query) {
    Objects.requireNonNull(query, "query");
    return read(target, "the requests of client " + query.client(), connection -> records.requests(connection, query, statementSeconds));
  }

  /**
   * A page of a client's requests, newest first: at most {@code limit} (1 to 1000), older than
   * {@code cursor} (a page's {@link RequestPage#nextCursor()}; null for the newest).
   *
   * @throws IllegalArgumentException for a bad client, limit or cursor
   * @throws StatusException when the table cannot be read
   */
  public RequestPage requests(String client, int limit, String cursor) {
    return requests(new RequestQuery(client, null, null, limit, cursor));
  }

  /**
   * A handle on any task by its uuid (e.g. one from a batch, or published by another process), to
   * read its status and wait for its result; the task need not be finished, nor its row exist
   * yet. See {@link TaskHandle}.
   *
   * @throws IllegalArgumentException when the text is not a uuid
   */
  public TaskHandle handle(String uuid) {
    return handle(uuid, false);
  }

  /** A handle; a cached one ({@link TaskHandle#cached()}) reads its finished row at once instead of waiting. */
  private TaskHandle handle(String uuid, boolean cached) {
    if (!ResultNotices.isUuid(uuid)) {
      throw new IllegalArgumentException("not a uuid: " + (uuid == null ? "null" : "'" + uuid + "'"));
    }
    return new WatchedTask(uuid.toLowerCase(Locale.ROOT), results,
        task -> read(handleReads, "the status of task " + task, connection -> records.status(connection, task, statementSeconds)),
        messages.mapper(), cached);
  }

  private <T> T read(Target on, String what, Read<T> read) {
    try {
      return on.read(read);
    } catch (NoConnection e) {
      throw new StatusException("cannot read " + what + ": no connection to the database: " + e.getMessage(), e.getCause());
    } catch (SQLException e) {
      throw new StatusException(failures.readFailed(what, e), e);
    }
  }

  /** A batch: submissions made through it are sent together, in one round trip, by {@link PublishBatch#send()}. */
  public PublishBatch batch() {
    return new PublishBatch(this, messages, methodReferences);
  }

  void send(List<Notification> notifications, List<DurableRow> rows) {
    send(notifications, rows, false);
  }

  /**
   * Sends the notifications and rows; with {@code readAnswers}, returns what {@code enqueue_many}
   * answered (the uuids of the rows that went in, or the cached rows' that answered them), else
   * nothing.
   */
  private List<String> send(List<Notification> notifications, List<DurableRow> rows, boolean readAnswers) {
    PublishStatements statements = new PublishStatements(notifications, rows, enqueuer, statementSeconds, readAnswers);
    long started = System.nanoTime();
    try {
      target.run(statements);
      return statements.answers();
    } catch (NoConnection e) {
      throw failures.noConnection(statements.channel(), (SQLException) e.getCause());
    } catch (PublishStatements.Failed e) {
      throw failures.statementFailed(e.statement(), e.durable(), e.channel(), e.sqlCause(), since(started));
    } catch (SQLException e) {
      throw failures.statementFailed(statements.describe(), !rows.isEmpty(), statements.channel(), e, since(started));
    }
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  @Override
  TaskSubmitter submitter() {
    return submitter;
  }

  @Override
  MethodReferences methodReferences() {
    return methodReferences;
  }

  /**
   * Stops listening for results (the waits still open end with an {@link IllegalStateException})
   * and closes the connection pool this publisher built from a URL; a given DataSource stays open.
   * A publisher made by {@link #inTransaction} closes nothing.
   */
  @Override
  public void close() {
    if (ownsResults) {
      results.close();
    }
    if (ownedPool != null) {
      ownedPool.close();
    }
  }

  /** Builder for {@link Publisher}: give a {@link DataSource} or a URL. */
  public static final class Builder {
    private DataSource dataSource;
    private String url;
    private String defaultChannel;
    private int poolSize = 4;
    private Duration connectTimeout;
    private Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;
    private ObjectMapper mapper;
    private String schema = SchemaNames.DEFAULT;
    private Duration resultPollInterval = DEFAULT_RESULT_POLL_INTERVAL;

    private Builder() {}

    /** The application's own pool; the publisher borrows a connection per submission or batch. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /**
     * A database to connect to: {@code postgresql://user:password@host:port/db}, libpq
     * {@code key=value} pairs or a {@code jdbc:postgresql:} URL. The publisher builds and owns a
     * HikariCP pool.
     */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /** Size of the pool built from {@link #url}; default 4. */
    public Builder poolSize(int poolSize) {
      if (poolSize < 1) {
        throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /**
     * How long a publish waits for a connection from the pool built from {@link #url}, making one
     * included; default 5 s ({@link Publisher#DEFAULT_CONNECT_TIMEOUT}). Past it, a {@link
     * PublishException} says the database could not be reached and why (e.g. the connection was
     * refused). It is HikariCP's {@code connectionTimeout}, and pgjdbc's {@code connectTimeout}
     * and {@code loginTimeout} (whole seconds, rounded up) unless the URL sets those. Not for
     * {@link #dataSource}: your pool's own setting applies there.
     *
     * @param timeout at least 250 ms
     */
    public Builder connectTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(250)) < 0) {
        throw new IllegalArgumentException("connectTimeout must be at least 250 ms: " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * How long each statement of a submission or a batch ({@code pg_notify}; {@code enqueue_many}
     * for durable tasks; a batch holding both runs the two) may take, on every
     * connection the publisher uses (the pool from {@link #url}, your {@link #dataSource}, the
     * connection given to {@link Publisher#inTransaction}); default 10 s ({@link
     * Publisher#DEFAULT_PUBLISH_TIMEOUT}). Past it the statement is cancelled and a {@link
     * PublishException} says so; inside your transaction, the transaction has then failed: roll it
     * back. Whole seconds, rounded up (JDBC's {@code setQueryTimeout}). On the pool from {@link
     * #url}, a server that stops answering altogether is given up one second later (pgjdbc's {@code
     * socketTimeout}, unless the URL sets it).
     *
     * @param timeout at least 1 s
     */
    public Builder publishTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("publishTimeout must be at least 1 s: " + timeout);
      }
      this.publishTimeout = timeout;
      return this;
    }

    /** Channel used when neither the submission nor the task's annotation names one. */
    public Builder defaultChannel(String channel) {
      this.defaultChannel = ChannelNames.check(channel);
      return this;
    }

    /**
     * The daemon's schema ({@code database.schema}), where durable tasks go: {@code
     * "<schema>".enqueue_many} writes them; default {@code dispatcher}. A plain lower-case
     * identifier, as the daemon requires.
     *
     * @throws IllegalArgumentException saying what a schema name must be
     */
    public Builder schema(String schema) {
      this.schema = SchemaNames.check(schema);
      return this;
    }

    /**
     * How often the waits for results ({@link TaskHandle}) read their rows although no notification
     * came, and how soon the listening connection is checked and made again after a failure;
     * default 5 s ({@link Publisher#DEFAULT_RESULT_POLL_INTERVAL}). A fallback only: a finished task
     * wakes its waiters at once through the results channel.
     *
     * @param interval at least 100 ms
     */
    public Builder resultPollInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("resultPollInterval must be at least 100 ms: " + interval);
      }
      this.resultPollInterval = interval;
      return this;
    }

    /** A mapper for arguments; it should start from {@code WireFormat.newObjectMapper()}. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = mapper;
      return this;
    }

    public Publisher build() {
      if ((dataSource == null) == (url == null)) {
        throw new IllegalStateException("give exactly one of dataSource(...) or url(...)");
      }
      if (dataSource != null && connectTimeout != null) {
        throw new IllegalStateException("connectTimeout(...) is for the pool built from url(...);"
            + " with dataSource(...), set your pool's own connection timeout");
      }
      Duration connect = connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
      HikariDataSource pool = url == null ? null : ConnectionPools.create(DatabaseUrl.parse(url), "dispatcher-publisher", poolSize,
          connect, publishTimeout.plusSeconds(1));
      MessageFactory messages = new MessageFactory(mapper == null ? MessageFactory.defaultMapper() : mapper, defaultChannel);
      int statementSeconds = (int) Math.min(Integer.MAX_VALUE, ConnectionPools.wholeSecondsUp(publishTimeout));
      DataSource reads = pool == null ? dataSource : pool;
      TaskRecordQueries records = new TaskRecordQueries(schema, messages.mapper());
      ResultListener.Connections listening = url == null ? dataSource::getConnection : listeningConnections(DatabaseUrl.parse(url), connect);
      ResultListener results = new ResultListener(listening, uuids -> {
        try (Connection connection = reads.getConnection()) {
          List<TaskStatus> found = records.statuses(connection, uuids, statementSeconds);
          if (!connection.getAutoCommit()) {
            connection.commit();
          }
          return found;
        }
      }, ResultNotices.channel(schema), resultPollInterval);
      PoolTarget poolTarget = new PoolTarget(reads);
      return new Publisher(poolTarget, statementSeconds,
          new PublishFailures(connect, publishTimeout, pool != null, schema), new DurableEnqueuer(schema), messages,
          new MethodReferences(), pool, records, results, true, poolTarget);
    }

    /**
     * The listening connection of a publisher built from a URL: a connection of its own, not one
     * of the pool's (it is held for as long as the publisher waits for results).
     */
    private static ResultListener.Connections listeningConnections(DatabaseUrl address, Duration connect) {
      String seconds = Long.toString(ConnectionPools.wholeSecondsUp(connect));
      DatabaseUrl bounded = address.withDefaultOption("ApplicationName", "dispatcher-results").withDefaultOption("connectTimeout", seconds)
          .withDefaultOption("loginTimeout", seconds).withDefaultOption("tcpKeepAlive", "true");
      return () -> {
        Properties properties = new Properties();
        if (bounded.user() != null) {
          properties.setProperty("user", bounded.user());
        }
        if (bounded.password() != null) {
          properties.setProperty("password", bounded.password());
        }
        return DriverManager.getConnection(bounded.pgjdbcUrl(), properties);
      };
    }
  }
}
