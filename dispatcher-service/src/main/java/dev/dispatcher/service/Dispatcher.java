package dev.dispatcher.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.config.ConfigException;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.DispatcherInfo;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.intake.DispatchLoop;
import dev.dispatcher.service.intake.Inbound;
import dev.dispatcher.service.intake.MessageDecoder;
import dev.dispatcher.service.listener.PgNotifyListener;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.pool.TaskExecution;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.producers.OnStartProducer;
import dev.dispatcher.service.producers.ScheduleProducer;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon. Owns, and closes in this order: the producers (listener, schedules), the
 * dispatch loop, the worker pool (running tasks get the grace period), the hooks, the timer and
 * the connection pool. Embeddable: {@code try (Dispatcher d = Dispatcher.start(config, registry, hooks)) {...}}.
 */
public final class Dispatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  private static final long CHUNK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long CHUNK_BUFFER_CHARS = 64L * 1024 * 1024;

  private final DispatcherConfig config;
  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final ScheduledExecutorService timer;
  private final HikariDataSource dataSource;
  private final Hooks hooks;
  private final WorkerPool pool;
  private final DispatchLoop loop;
  private final PgNotifyListener listener;
  private final ScheduleProducer schedules;
  private final OnStartProducer onStart;
  private boolean closed;

  private Dispatcher(DispatcherConfig config, TaskRegistry registry, List<DispatcherHook> hookList) {
    this.config = config;
    ObjectMapper mapper = WireFormat.newObjectMapper();
    ScheduledThreadPoolExecutor scheduled = new ScheduledThreadPoolExecutor(1,
        Thread.ofPlatform().name("dispatcher-timer").daemon(true).factory());
    scheduled.setRemoveOnCancelPolicy(true); // cancelled timeouts must not pile up in the queue
    this.timer = Executors.unconfigurableScheduledExecutorService(scheduled);
    this.dataSource = ConnectionPools.create(config.database().url(), "dispatcher-daemon", 4);
    this.hooks = new Hooks(hookList);
    TaskExecution execution = new TaskExecution(config.nodeId(), hooks, metrics, timer, mapper);
    this.pool = new WorkerPool(config.pool().maxWorkers(), execution::run);
    MessageDecoder decoder = new MessageDecoder(mapper, new ChunkAssembler(CHUNK_TIMEOUT_NANOS, CHUNK_BUFFER_CHARS));
    this.loop = new DispatchLoop(decoder, registry, pool, timer, metrics);
    // A recognisable application_name lets operators find the listener's backend in pg_stat_activity.
    DatabaseUrl listenAddress = config.database().listenAddress().withDefaultOption("ApplicationName", "dispatcher-listener " + config.nodeId());
    this.listener = new PgNotifyListener(listenAddress, config.channels(), loop::notified, metrics);
    this.schedules = new ScheduleProducer(config.schedules(), timer, loop, mapper);
    this.onStart = new OnStartProducer(config.onStart(), loop, mapper);
  }

  /**
   * Starts the daemon and waits (up to {@code readyTimeout}) until it listens on every channel.
   *
   * @throws ConfigException when a schedule or on-start task names a task that is not registered
   */
  public static Dispatcher start(DispatcherConfig config, TaskRegistry registry, List<DispatcherHook> hooks, Duration readyTimeout)
      throws InterruptedException {
    checkTaskNames(config, registry);
    Dispatcher dispatcher = new Dispatcher(config, registry, hooks);
    dispatcher.startAll(readyTimeout);
    return dispatcher;
  }

  private static void checkTaskNames(DispatcherConfig config, TaskRegistry registry) {
    for (DispatcherConfig.Schedule schedule : config.schedules()) {
      if (registry.find(schedule.submission().task()) == null) {
        throw new ConfigException(schedule.submission().key(), "no registered task named '" + schedule.submission().task() + "'");
      }
    }
    for (DispatcherConfig.Submission task : config.onStart()) {
      if (registry.find(task.task()) == null) {
        throw new ConfigException(task.key(), "no registered task named '" + task.task() + "'");
      }
    }
  }

  private void startAll(Duration readyTimeout) throws InterruptedException {
    loop.start();
    listener.start();
    if (!listener.awaitListening(readyTimeout)) {
      log.warn("not listening after {} s; will keep trying to connect to {}", readyTimeout.toSeconds(), config.database().listenAddress());
    }
    hooks.onStart(new DispatcherInfo(config.nodeId(), dataSource));
    schedules.start();
    onStart.start();
    log.info("dispatcher ready: node {} listening on {} with {} worker(s)", config.nodeId(), config.channels(), config.pool().maxWorkers());
  }

  public DispatcherMetrics metrics() {
    return metrics;
  }

  public boolean isListening() {
    return listener.isConnected();
  }

  public WorkerPool pool() {
    return pool;
  }

  /** Waits until the first LISTEN is in place. */
  public boolean awaitListening(Duration timeout) throws InterruptedException {
    return listener.awaitListening(timeout);
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    log.info("dispatcher stopping: no new messages; {} running, {} queued", pool.running(), pool.queued());
    listener.close();
    schedules.close();
    List<Inbound> undecoded = loop.stop();
    for (Inbound left : undecoded) {
      log.warn("abandoned on shutdown before dispatch: {}", left instanceof Inbound.Local local ? "task " + local.message().uuid() : "a notification");
    }
    List<Work> abandoned = pool.shutdown(config.pool().shutdownGracePeriod());
    for (Work work : abandoned) {
      log.warn("abandoned on shutdown: queued task {} {}", work.message().uuid(), work.message().task());
    }
    hooks.onShutdown();
    List<Runnable> pendingTimers = timer.shutdownNow();
    if (!pendingTimers.isEmpty()) {
      log.warn("abandoned on shutdown: {} delayed task(s) or timers", pendingTimers.size());
    }
    dataSource.close();
    log.info("dispatcher stopped: {}", metrics.summary());
  }
}
