package dev.dispatcher.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.Publisher;
import dev.dispatcher.service.control.ControlCommands;
import dev.dispatcher.service.pool.Cancellations;
import dev.dispatcher.service.pool.TaskExecution;
import dev.dispatcher.service.pool.DurableClaim;
import dev.dispatcher.service.pool.Progress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a bound task's context reaches: the follow-up publisher, cancel (the pool) and the control
 * commands (which see the pool). The runner needs this before the pool and the commands exist,
 * so the builder binds those two once, before the daemon starts; calls go straight to them.
 */
final class RunServices implements TaskExecution.Services {

  private final Publisher publisher;
  private final String nodeId;
  private final ObjectMapper mapper;
  private final javax.sql.DataSource transactions;
  private final java.util.function.BiConsumer<DurableClaim, Progress> progress;
  private Cancellations cancellations; // bound once by the builder, before any task runs
  private ControlCommands commands;

  /**
   * @param transactions where tasks' {@code context.transaction()} connections come from
   * @param progress where durable runs' progress reports go
   */
  RunServices(Publisher publisher, String nodeId, ObjectMapper mapper, javax.sql.DataSource transactions,
      java.util.function.BiConsumer<DurableClaim, Progress> progress) {
    this.transactions = transactions;
    this.progress = progress;
    this.publisher = publisher;
    this.nodeId = nodeId;
    this.mapper = mapper;
  }

  void bind(Cancellations cancellations, ControlCommands commands) {
    if (this.cancellations != null) {
      throw new IllegalStateException("bound already");
    }
    this.cancellations = Objects.requireNonNull(cancellations);
    this.commands = Objects.requireNonNull(commands);
  }

  @Override
  public Publisher publisher() {
    return publisher;
  }

  @Override
  public List<String> cancel(String uuid, String taskName) {
    return cancellations.cancel(uuid, taskName).uuids();
  }

  @Override
  public java.sql.Connection openTransaction() throws java.sql.SQLException {
    java.sql.Connection connection = transactions.getConnection();
    try {
      connection.setAutoCommit(false);
      return connection;
    } catch (java.sql.SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public void progress(DurableClaim claim, Progress report) {
    progress.accept(claim, report);
  }

  /** The command runs here, on the task's thread, as trusted code (no allow-list, no signature). */
  @Override
  @SuppressWarnings("unchecked")
  public Map<String, Object> control(String command, Map<String, ?> controlData) {
    try {
      return mapper.convertValue(commands.run(command, mapper.valueToTree(controlData)).put("node_id", nodeId), Map.class);
    } catch (ControlCommands.UnknownCommandException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
