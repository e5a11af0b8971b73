package dev.dispatcher.e2e.tasks;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.Task;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.DispatcherInfo;
import dev.dispatcher.service.hooks.TaskOutcome;
import dev.dispatcher.service.hooks.TaskRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Occupies every connection of the daemon's pool for as long as a {@link #holdUntil} task runs, as
 * a flood of control replies or a hook that uses the pool does. Enable with
 * {@code hooks: [dev.dispatcher.e2e.tasks.PoolHog]}; logs {@code pool-hog holding N of N} once the
 * pool is taken and {@code pool-hog released} when it is given back.
 */
public final class PoolHog implements DispatcherHook {

  private static final Logger log = LoggerFactory.getLogger(PoolHog.class);
  private static final String HOLD_TASK = "dev.dispatcher.e2e.tasks.PoolHog.holdUntil";

  private final Map<String, List<Connection>> held = new ConcurrentHashMap<>();
  private HikariDataSource pool;

  /** Runs until {@code releaseFile} exists (at most a minute); the hook holds the pool meanwhile. */
  @Task
  public static void holdUntil(String releaseFile) throws InterruptedException {
    Path release = Path.of(releaseFile);
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!Files.exists(release) && System.nanoTime() < deadline) {
      Thread.sleep(20); // a task, not a test: it polls the file the test creates
    }
  }

  @Override
  public void onStart(DispatcherInfo info) {
    this.pool = (HikariDataSource) info.dataSource();
  }

  @Override
  public void beforeTask(TaskRun run) throws SQLException {
    if (!HOLD_TASK.equals(run.taskName())) {
      return;
    }
    int size = pool.getMaximumPoolSize();
    List<Connection> connections = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      connections.add(pool.getConnection());
    }
    held.put(run.uuid(), connections);
    log.info("pool-hog holding {} of {} connections", connections.size(), size);
  }

  @Override
  public void afterTask(TaskRun run, TaskOutcome outcome) throws SQLException {
    List<Connection> connections = held.remove(run.uuid());
    if (connections == null) {
      return;
    }
    for (Connection connection : connections) {
      connection.close();
    }
    log.info("pool-hog released {} connections", connections.size());
  }
}
