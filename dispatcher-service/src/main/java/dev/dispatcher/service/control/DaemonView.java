package dev.dispatcher.service.control;

import dev.dispatcher.service.health.HealthStatus;
import dev.dispatcher.service.message.TaskFilter;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.metrics.EventCounts;
import dev.dispatcher.service.pool.Cancellations;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.RegisteredTask;
import java.util.List;

/** What control commands may see and do in the running daemon. */
public interface DaemonView {

  String nodeId();

  int maxWorkers();

  /** Running, queued, held and delayed work, in that order. */
  List<WorkerPool.Located> work();

  List<WorkerPool.Slot> slots();

  /** Cancels what the filter matches, this daemon's work and the durable rows no node claimed yet, and logs it (an empty filter: nothing). */
  Cancellations.Result cancel(TaskFilter filter);

  /** What the daemon's events added up to (messages, tasks, listener, chunks, control). */
  EventCounts counts();

  /** Messages received but not yet dispatched. */
  int backlog();

  /** The health {@code GET /health} reports, now. */
  HealthStatus health();

  /** How long the daemon has run (since it was built). */
  long uptimeNanos();

  /** Chunked messages whose parts have not all arrived (read while the dispatch thread works: approximate). */
  int pendingChunks();

  List<String> channels();

  List<String> scheduleNames();

  /** The registered task of this name, or null. */
  RegisteredTask task(String name);

  /** Dispatches a task message as if it had arrived. */
  void run(TaskMessage message);

  /** The durable rows by state, as last sampled by the maintenance (empty without durable mode or before the first sample). */
  java.util.Map<String, Long> durableRowsByState();

  /**
   * Suspends a task type cluster-wide (every daemon on the database): its durable rows are not
   * claimed, its fire-and-forget messages are dropped. True if it was not suspended before.
   *
   * @throws IllegalArgumentException for an empty or too long name
   */
  boolean suspend(String task) throws java.sql.SQLException;

  /** Resumes a task type cluster-wide; true if it was suspended. */
  boolean resume(String task) throws java.sql.SQLException;

  /** The task types suspended cluster-wide, as this daemon last read them, sorted. */
  List<String> suspended();
}
