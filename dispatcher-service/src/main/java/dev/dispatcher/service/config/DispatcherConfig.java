package dev.dispatcher.service.config;

import dev.dispatcher.jdbc.DatabaseUrl;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The daemon's whole configuration, validated. Built by {@link ConfigLoader} from
 * {@code dispatcher.yml}, or directly by code that embeds the daemon.
 *
 * @param database where to connect; {@code listenUrl} may point the listener elsewhere (e.g. past a pooler)
 * @param channels channels to LISTEN on
 * @param defaultPublishChannel channel for tasks the daemon publishes itself
 * @param nodeId this daemon's name in logs and (later) control replies
 * @param pool worker pool limits
 * @param tasks where {@code @Task} methods are discovered
 * @param hooks class names of {@code DispatcherHook} implementations
 * @param schedules fixed-interval schedules
 * @param onStart tasks run once when the daemon starts
 */
public record DispatcherConfig(
    Database database,
    List<String> channels,
    String defaultPublishChannel,
    String nodeId,
    Pool pool,
    TaskSources tasks,
    List<String> hooks,
    List<Schedule> schedules,
    List<Submission> onStart) {

  public DispatcherConfig {
    channels = List.copyOf(channels);
    hooks = List.copyOf(hooks);
    schedules = List.copyOf(schedules);
    onStart = List.copyOf(onStart);
  }

  /** Database addresses. */
  public record Database(DatabaseUrl url, DatabaseUrl listenUrl) {
    /** The address the listener connects to. */
    public DatabaseUrl listenAddress() {
      return listenUrl != null ? listenUrl : url;
    }
  }

  /**
   * Worker pool limits.
   *
   * @param maxWorkers tasks running at once; the rest wait in FIFO order
   * @param shutdownGracePeriod how long running tasks may finish on shutdown before they are interrupted
   */
  public record Pool(int maxWorkers, Duration shutdownGracePeriod) {}

  /** Where tasks are discovered: whole packages and single classes. */
  public record TaskSources(List<String> packages, List<String> classes) {
    public TaskSources {
      packages = List.copyOf(packages);
      classes = List.copyOf(classes);
    }
  }

  /** A task submission written in config: the task name and its arguments. */
  public record Submission(String key, String task, List<Object> args, Map<String, Object> kwargs) {}

  /**
   * A fixed-interval schedule; it first fires one interval after start unless {@code runAtStart}.
   *
   * @param name the schedule's name (its key in the config)
   */
  public record Schedule(String name, Submission submission, Duration interval, boolean runAtStart) {}
}
