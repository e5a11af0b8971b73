package dev.dispatcher.service;

import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.control.DaemonView;
import dev.dispatcher.service.health.HealthStatus;
import dev.dispatcher.service.intake.Backlog;
import dev.dispatcher.service.message.TaskFilter;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.EventCounts;
import dev.dispatcher.service.pool.Cancellations;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.suspension.Suspensions;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** What control commands see of the running daemon, and what they may do (cancel, run, suspend and resume). */
final class DispatcherView implements DaemonView {

  private final DispatcherConfig config;
  private final TaskRegistry registry;
  private final WorkerPool pool;
  private final Cancellations cancellations;
  private final Backlog backlog;
  private final DaemonHealth health;
  private final EventCounts counts;
  private final IntSupplier pendingChunks;
  private final Supplier<Map<String, Long>> durableRows;
  private final Suspensions suspensions;
  private final long builtNanos = System.nanoTime();

  DispatcherView(DispatcherConfig config, TaskRegistry registry, WorkerPool pool, Cancellations cancellations, Backlog backlog,
      DaemonHealth health, EventCounts counts, IntSupplier pendingChunks, Supplier<Map<String, Long>> durableRows, Suspensions suspensions) {
    this.durableRows = durableRows;
    this.suspensions = suspensions;
    this.config = config;
    this.registry = registry;
    this.pool = pool;
    this.cancellations = cancellations;
    this.backlog = backlog;
    this.health = health;
    this.counts = counts;
    this.pendingChunks = pendingChunks;
  }

  @Override
  public String nodeId() {
    return config.nodeId();
  }

  @Override
  public int maxWorkers() {
    return pool.maxWorkers();
  }

  @Override
  public List<WorkerPool.Located> work() {
    return pool.snapshot();
  }

  @Override
  public List<WorkerPool.Slot> slots() {
    return pool.slots();
  }

  @Override
  public Cancellations.Result cancel(TaskFilter filter) {
    return cancellations.cancel(filter);
  }

  @Override
  public Map<String, Long> durableRowsByState() {
    return durableRows.get();
  }

  @Override
  public EventCounts counts() {
    return counts;
  }

  @Override
  public int backlog() {
    return backlog.size();
  }

  @Override
  public HealthStatus health() {
    return health.status();
  }

  @Override
  public long uptimeNanos() {
    return System.nanoTime() - builtNanos;
  }

  @Override
  public int pendingChunks() {
    return pendingChunks.getAsInt();
  }

  @Override
  public List<String> channels() {
    return config.channels();
  }

  @Override
  public List<String> scheduleNames() {
    return config.schedules().stream().map(DispatcherConfig.Schedule::name).toList();
  }

  @Override
  public RegisteredTask task(String name) {
    return registry.find(name);
  }

  @Override
  public void run(TaskMessage message) {
    backlog.local(message);
  }

  @Override
  public boolean suspend(String task) throws SQLException {
    return suspensions.suspend(task);
  }

  @Override
  public boolean resume(String task) throws SQLException {
    return suspensions.resume(task);
  }

  @Override
  public List<String> suspended() {
    return suspensions.names();
  }
}
