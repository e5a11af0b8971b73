package dev.dispatcher.service;

import dev.dispatcher.service.config.ConfigException;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.lifecycle.Services;
import dev.dispatcher.service.listener.PgNotifyListener;
import dev.dispatcher.service.metrics.EventCounts;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.TaskRegistry;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon. {@link DispatcherBuilder} composes it from the configuration; this class
 * owns its services and resources: it starts the services in dependency order and, on
 * {@link #close()}, stops them in reverse (the producers first, then the dispatch loop, the pool —
 * running tasks get the grace period — and the hooks), then closes the timer and the connection
 * pool. Embeddable:
 *
 * <pre>{@code
 * try (Dispatcher daemon = Dispatcher.start(config, registry, List.of(), Duration.ofSeconds(10))) {
 *   // ... until the application stops it
 * }
 * }</pre>
 */
public final class Dispatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final EventCounts counts;
  private final FatalFailure failure;
  private final Services services;
  private final WorkerPool pool;
  private final PgNotifyListener listener;
  private final UnfinishedWork unfinished;
  private final List<Service.Action> resources;
  private boolean closed;

  Dispatcher(EventCounts counts, FatalFailure failure, List<Service> services, WorkerPool pool, PgNotifyListener listener,
      UnfinishedWork unfinished, List<Service.Action> resources) {
    this.counts = counts;
    this.failure = failure;
    this.services = new Services(services);
    this.pool = pool;
    this.listener = listener;
    this.unfinished = unfinished;
    this.resources = List.copyOf(resources);
  }

  /**
   * Builds and starts the daemon, waiting (up to {@code readyTimeout}) until it listens on every
   * channel; past that it keeps trying to connect in the background. It logs {@code dispatcher
   * ready} once it listens: before this returns, or later, when the listener first connects.
   *
   * @throws ConfigException when a schedule or on-start task names a task that is not registered,
   *     or the metrics port cannot be served
   * @throws dev.dispatcher.service.storage.StorageException when the database answers but the schema
   *     cannot be migrated (one that does not answer yet is migrated later)
   */
  public static Dispatcher start(DispatcherConfig config, TaskRegistry registry, List<DispatcherHook> hooks, Duration readyTimeout)
      throws Exception {
    Dispatcher dispatcher = DispatcherBuilder.build(config, registry, hooks, readyTimeout);
    try {
      dispatcher.services.start();
    } catch (Exception | Error e) {
      dispatcher.closeResources();
      throw e;
    }
    dispatcher.listener.whenListening(() -> log.info("dispatcher ready: node {} listening on {} with {} worker(s)", config.nodeId(),
        config.channels(), config.pool().maxWorkers()));
    return dispatcher;
  }

  /** What the daemon's events added up to so far (read-only). */
  public EventCounts metrics() {
    return counts;
  }

  /** Reported when a part of the daemon that must never stop stopped; the caller should then stop the daemon. */
  public FatalFailure failure() {
    return failure;
  }

  /**
   * Logs, in one bounded line, what a stop that cannot wait for {@link #close()} drops: the tasks
   * that run or wait (the first uuids, and how many) and the messages not yet dispatched. Waits
   * for the pool's lock: a caller that must not wait runs it on a thread of its own, with a bound.
   */
  public void logWhatAHaltDrops() {
    log.warn("stopping at once, dropping {}", unfinished.describe());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("dispatcher stopping: no new messages; {} running, {} queued", pool.running(), pool.queued());
    services.stop();
    closeResources();
    log.info("dispatcher stopped: {}", counts.summary());
  }

  /** The timer (what it still held no longer matters), the follow-up publisher and the connection pool. */
  private void closeResources() {
    for (Service.Action resource : resources) {
      try {
        resource.run();
      } catch (Exception e) {
        log.warn("closing a resource failed: {}", e.toString());
      }
    }
  }
}
