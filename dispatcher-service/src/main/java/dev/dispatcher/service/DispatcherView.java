package dev.dispatcher.service;

import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.control.DaemonView;
import dev.dispatcher.service.intake.Backlog;
import dev.dispatcher.service.listener.PgNotifyListener;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.pool.Cancellations;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.ChunkAssembler;
import java.util.List;

/** What control commands see of the running daemon, and the two things they may do (cancel, run). */
final class DispatcherView implements DaemonView {

  private final DispatcherConfig config;
  private final TaskRegistry registry;
  private final WorkerPool pool;
  private final Cancellations cancellations;
  private final Backlog backlog;
  private final ChunkAssembler.Stats chunks;
  private final PgNotifyListener listener;
  private final DispatcherMetrics metrics;

  DispatcherView(DispatcherConfig config, TaskRegistry registry, WorkerPool pool, Cancellations cancellations, Backlog backlog,
      ChunkAssembler.Stats chunks, PgNotifyListener listener, DispatcherMetrics metrics) {
    this.config = config;
    this.registry = registry;
    this.pool = pool;
    this.cancellations = cancellations;
    this.backlog = backlog;
    this.chunks = chunks;
    this.listener = listener;
    this.metrics = metrics;
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
  public List<WorkerPool.Located> cancel(String uuid, String taskName) {
    return cancellations.cancel(uuid, taskName);
  }

  @Override
  public DispatcherMetrics metrics() {
    return metrics;
  }

  @Override
  public ChunkAssembler.Stats chunkStats() {
    return chunks;
  }

  @Override
  public int backlog() {
    return backlog.size();
  }

  @Override
  public boolean listenerConnected() {
    return listener.isConnected();
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
}
