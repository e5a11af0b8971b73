package dev.dispatcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.wire.ChannelNames;
import dev.dispatcher.wire.Notification;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Publishes tasks over {@code pg_notify}. Thread-safe; one per application is enough.
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
 * }
 * }</pre>
 */
public final class Publisher extends TaskFactory implements AutoCloseable {

  /** Where notifications are sent: a pool (own transaction each time) or the caller's connection. */
  private sealed interface Target {
    void send(List<Notification> notifications) throws SQLException;
  }

  private record PoolTarget(DataSource dataSource) implements Target {
    @Override
    public void send(List<Notification> notifications) throws SQLException {
      try (Connection connection = dataSource.getConnection()) {
        NotifySender.send(connection, notifications);
        if (!connection.getAutoCommit()) {
          connection.commit(); // a pool configured without auto-commit would otherwise roll it back
        }
      }
    }
  }

  private record ConnectionTarget(Connection connection) implements Target {
    @Override
    public void send(List<Notification> notifications) throws SQLException {
      NotifySender.send(connection, notifications);
    }
  }

  private final Target target;
  private final MessageFactory messages;
  private final MethodReferences methodReferences;
  private final HikariDataSource ownedPool;
  private final TaskSubmitter submitter = new TaskSubmitter() {
    @Override
    public MessageFactory messages() {
      return messages;
    }

    @Override
    public void accept(String uuid, List<Notification> notifications) {
      send(notifications);
    }
  };

  private Publisher(Target target, MessageFactory messages, MethodReferences methodReferences, HikariDataSource ownedPool) {
    this.target = target;
    this.messages = messages;
    this.methodReferences = methodReferences;
    this.ownedPool = ownedPool;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A publisher that sends through the caller's connection, inside its current transaction: what
   * it publishes is delivered when that transaction commits and discarded if it rolls back.
   * Closing the returned publisher does not close the connection.
   */
  public Publisher inTransaction(Connection connection) {
    return new Publisher(new ConnectionTarget(Objects.requireNonNull(connection, "connection")), messages, methodReferences, null);
  }

  /** A batch: submissions made through it are sent together, in one round trip, by {@link PublishBatch#send()}. */
  public PublishBatch batch() {
    return new PublishBatch(this, messages, methodReferences);
  }

  void send(List<Notification> notifications) {
    try {
      target.send(notifications);
    } catch (SQLException e) {
      throw new PublishException("pg_notify on channel '" + notifications.get(0).channel() + "' failed: " + e.getMessage(), e);
    }
  }

  @Override
  TaskSubmitter submitter() {
    return submitter;
  }

  @Override
  MethodReferences methodReferences() {
    return methodReferences;
  }

  /** Closes the connection pool this publisher built from a URL; a given DataSource stays open. */
  @Override
  public void close() {
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
    private ObjectMapper mapper;

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

    /** Channel used when neither the submission nor the task's annotation names one. */
    public Builder defaultChannel(String channel) {
      this.defaultChannel = ChannelNames.check(channel);
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
      HikariDataSource pool = url == null ? null : ConnectionPools.create(DatabaseUrl.parse(url), "dispatcher-publisher", poolSize);
      MessageFactory messages = new MessageFactory(mapper == null ? MessageFactory.defaultMapper() : mapper, defaultChannel);
      return new Publisher(new PoolTarget(pool == null ? dataSource : pool), messages, new MethodReferences(), pool);
    }
  }
}
