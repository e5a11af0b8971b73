package dev.dispatcher.service;

import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.control.DaemonView;
import dev.dispatcher.service.intake.Backlog;
import dev.dispatcher.service.listener.PgNotifyListener;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.EventCounts;
import dev.dispatcher.service.pool.Cancellations;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import java.util.List;

/** What control commands see of the running daemon, and the two things they may do (cancel, run). */
final class DispatcherView implements DaemonView {

  private final DispatcherConfig config;
  private final TaskRegistry registry;
  private final WorkerPool pool;
  private final Cancellations cancellations;
  private final Backlog backlog;
  private final PgNotifyListener listener;
  private final EventCounts counts;

  DispatcherView(DispatcherConfig config, TaskRegistry registry, WorkerPool pool, Cancellations cancellations, Backlog backlog,
      PgNotifyListener listener, EventCounts counts) {
    this.config = config;
    this.registry = registry;
    this.pool = pool;
    this.cancellations = cancellations;
    this.backlog = backlog;
    this.listener = listener;
    this.counts = counts;
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
  public EventCounts counts() {
    return counts;
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
