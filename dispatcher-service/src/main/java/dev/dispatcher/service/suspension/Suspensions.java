package dev.dispatcher.service.suspension;

import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.storage.SuspendedTasks;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This daemon's copy of the task types suspended cluster-wide ({@link SuspendedTasks}): read at
 * start, every {@link #REFRESH} (so a suspension made through another daemon, or by SQL, holds here
 * within that time), and at once when this daemon suspends or resumes one. The claimer leaves
 * suspended tasks out of its claims; the dispatch loop drops their fire-and-forget messages.
 * Readers see an immutable set through one volatile read: free on the hot paths.
 */
public final class Suspensions implements Service {

  /** How often the table is read again. */
  public static final Duration REFRESH = Duration.ofSeconds(2);
  /** The longest task name a suspension takes (the table's own check). */
  public static final int MAX_TASK_LENGTH = 200;

  private static final Logger log = LoggerFactory.getLogger(Suspensions.class);

  private final SuspendedTasks table;
  private final ScheduledExecutorService timer;
  private final String nodeId;
  private final List<Runnable> resumeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Set<String> suspended = Set.of();
  private ScheduledFuture<?> refreshing;
  private boolean failing; // guarded by this

  /** @param timer a thread of its own: a refresh waits for the database */
  public Suspensions(SuspendedTasks table, ScheduledExecutorService timer, String nodeId) {
    this.table = table;
    this.timer = timer;
    this.nodeId = nodeId;
  }

  /** Tells {@code listener} whenever a task type is no longer suspended (its rows may be claimed now). */
  public void onResume(Runnable listener) {
    resumeListeners.add(listener);
  }

  @Override
  public String name() {
    return "suspensions";
  }

  @Override
  public void start() {
    refresh(); // before the claimer's first claim and the first message
    refreshing = timer.scheduleWithFixedDelay(this::refresh, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    if (refreshing != null) {
      refreshing.cancel(false);
    }
  }

  /** Whether the task type is suspended, as this daemon last read it. */
  public boolean isSuspended(String task) {
    Set<String> now = suspended;
    return !now.isEmpty() && now.contains(task);
  }

  /** The suspended task names, sorted. */
  public List<String> names() {
    return List.copyOf(new TreeSet<>(suspended));
  }

  /** The names of {@code tasks} that are not suspended: the same list when none is. */
  public List<String> notSuspended(List<String> tasks) {
    Set<String> now = suspended;
    if (now.isEmpty()) {
      return tasks;
    }
    List<String> left = new ArrayList<>(tasks.size());
    for (String task : tasks) {
      if (!now.contains(task)) {
        left.add(task);
      }
    }
    return left;
  }

  /**
   * Suspends a task type cluster-wide; true if it was not suspended before.
   *
   * @throws IllegalArgumentException for an empty or too long name
   * @throws SQLException when the table cannot be written (or holds its most names already)
   */
  public boolean suspend(String task) throws SQLException {
    check(task);
    boolean changed = table.suspend(task, nodeId);
    refresh();
    return changed;
  }

  /** Resumes a task type cluster-wide; true if it was suspended. */
  public boolean resume(String task) throws SQLException {
    check(task);
    boolean changed = table.resume(task);
    refresh();
    return changed;
  }

  /** Reads the table again; logs each change (one line per task type), and a failure once until it reads again. */
  public synchronized void refresh() {
    Set<String> read;
    try {
      read = Set.copyOf(table.suspended());
    } catch (SQLException | RuntimeException e) {
      if (!failing) {
        log.warn("cannot read the suspended task types: {}; keeping the last known ({}), retrying every {} s",
            UntrustedText.of(e.getMessage(), 500), suspended.size(), REFRESH.toSeconds());
        failing = true;
      }
      return;
    }
    if (failing) {
      log.info("the suspended task types can be read again");
      failing = false;
    }
    Set<String> before = suspended;
    suspended = read;
    boolean anyResumed = false;
    for (String task : new TreeSet<>(read)) {
      if (!before.contains(task)) {
        log.info("task {} is suspended (cluster-wide): its durable rows wait, its fire-and-forget messages are dropped",
            UntrustedText.of(task));
      }
    }
    for (String task : new TreeSet<>(before)) {
      if (!read.contains(task)) {
        log.info("task {} is resumed: its durable rows are claimed again", UntrustedText.of(task));
        anyResumed = true;
      }
    }
    if (anyResumed) {
      resumeListeners.forEach(Runnable::run);
    }
  }

  private static void check(String task) {
    if (task == null || task.isEmpty()) {
      throw new IllegalArgumentException("needs control_data with the task name: {\"task\": \"app.tasks.x\"}");
    }
    if (task.length() > MAX_TASK_LENGTH) {
      throw new IllegalArgumentException("a task name is at most " + MAX_TASK_LENGTH + " characters, this one has " + task.length());
    }
  }
}
