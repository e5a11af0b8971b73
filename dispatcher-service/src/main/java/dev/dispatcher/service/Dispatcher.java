package dev.dispatcher.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.config.ConfigException;
import dev.dispatcher.control.ControlSignature;
import dev.dispatcher.service.control.Command;
import dev.dispatcher.service.control.ControlCommands;
import dev.dispatcher.service.control.ControlCounters;
import dev.dispatcher.service.control.ControlPolicy;
import dev.dispatcher.service.control.ControlResponder;
import dev.dispatcher.service.control.ReplyLimits;
import dev.dispatcher.service.control.DaemonView;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.DispatcherInfo;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.Publisher;
import dev.dispatcher.service.intake.AdmissionLog;
import dev.dispatcher.service.intake.DispatchLoop;
import dev.dispatcher.service.intake.Inbound;
import dev.dispatcher.service.intake.MessageDecoder;
import dev.dispatcher.service.intake.MessageLimits;
import dev.dispatcher.service.listener.PgNotifyListener;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.metrics.MetricsServer;
import dev.dispatcher.service.metrics.PrometheusMetrics;
import dev.dispatcher.service.pool.TaskExecution;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.producers.OnStartProducer;
import dev.dispatcher.service.producers.ScheduleProducer;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.storage.PostgresStorage;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.storage.StorageException;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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

  private final DispatcherConfig config;
  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final FatalFailure failure = new FatalFailure();
  private final ScheduledExecutorService timer;
  private final HikariDataSource dataSource;
  private final PostgresStorage storage;
  private final Hooks hooks;
  private final WorkerPool pool;
  private final DispatchLoop loop;
  private final PgNotifyListener listener;
  private final ScheduleProducer schedules;
  private final OnStartProducer onStart;
  private final Publisher followUpPublisher;
  private final ControlResponder controls;
  private final ControlCommands commands;
  private final ObjectMapper mapper;
  private final Object idleLock = new Object();
  private ScheduledFuture<?> idleTimer; // guarded by idleLock
  private MetricsServer metricsServer;
  private boolean closed;

  private Dispatcher(DispatcherConfig config, TaskRegistry registry, List<DispatcherHook> hookList) {
    this.config = config;
    ObjectMapper mapper = WireFormat.newObjectMapper();
    ScheduledThreadPoolExecutor scheduled = new ScheduledThreadPoolExecutor(1,
        Thread.ofPlatform().name("dispatcher-timer").daemon(true).factory());
    scheduled.setRemoveOnCancelPolicy(true); // cancelled timeouts must not pile up in the queue
    this.timer = Executors.unconfigurableScheduledExecutorService(scheduled);
    this.dataSource = ConnectionPools.create(config.database().url(), "dispatcher-daemon", 4);
    // Every SQL statement of the daemon but the listener's session, in the schema its migrations keep
    this.storage = new PostgresStorage(config.database().url(), SchemaName.of(config.database().schema()), dataSource, config.nodeId());
    this.hooks = new Hooks(hookList);
    this.followUpPublisher = Publisher.builder().dataSource(dataSource).defaultChannel(config.defaultPublishChannel()).build();
    AdmissionLog admissions = new AdmissionLog(metrics);
    MessageLimits messageLimits = MessageLimits.of(config.limits().maxDelay(), config.limits().maxTimeout());
    TaskExecution execution = new TaskExecution(config.nodeId(), hooks, metrics, timer, mapper, new TaskExecution.Services(
        followUpPublisher,
        (uuid, task) -> cancel(uuid, task).stream().map(located -> located.work().message().uuid()).toList(),
        this::followUp,
        this::localControl), messageLimits);
    DispatcherConfig.Limits limits = config.limits();
    this.pool = new WorkerPool(config.pool().maxWorkers(), execution::run, timer, new WorkerPool.Events() {
      @Override
      public void admitted(Work work, WorkerPool.Admission admission) {
        admissions.admitted(work, admission);
      }

      @Override
      public void idleChanged(boolean idle) {
        idleWatch(idle);
      }
    }, new WorkerPool.Bounds(limits.maxWaiting(), limits.maxDelayed(), limits.maxWaitingBytes()));
    MessageDecoder decoder = new MessageDecoder(mapper,
        new ChunkAssembler(config.chunks().timeout().toNanos(), config.chunks().maxBufferedBytes()),
        messageLimits);
    this.loop = new DispatchLoop(decoder, registry, pool, admissions, metrics, this::control,
        new DispatchLoop.Bounds(limits.maxBacklog(), limits.maxBacklogBytes()), failure);
    // A recognisable application_name lets operators find the listener's backend in pg_stat_activity.
    DatabaseUrl listenAddress = config.database().listenAddress().withDefaultOption("ApplicationName", "dispatcher-listener " + config.nodeId());
    this.listener = new PgNotifyListener(listenAddress, config.channels(), loop::notified, metrics, new PgNotifyListener.SelfCheck(
        config.listener().selfCheckAfter(), config.listener().selfCheckTimeout()), failure);
    this.schedules = new ScheduleProducer(config.schedules(), timer, loop, mapper, storage.tickClaims(), java.time.Clock.systemUTC());
    this.onStart = new OnStartProducer(config.onStart(), loop, mapper);
    DispatcherConfig.Control control = config.control();
    ControlCounters controlCounters = new ControlCounters();
    controlCounters.register(metrics.prometheus());
    ReplyLimits replyLimits = new ReplyLimits(control.maxReplyEntries(), control.maxReplyBytes());
    this.commands = new ControlCommands(view(registry), mapper, replyLimits, controlCounters, messageLimits);
    ControlPolicy policy = ControlPolicy.of(
        control.allow().stream().map(name -> Command.of(name).orElseThrow()).collect(java.util.stream.Collectors.toSet()),
        java.util.regex.Pattern.compile(control.replyToPattern()),
        control.secret() == null ? null : new ControlSignature(control.secret()),
        control.signatureWindow(), control.maxNonces(), java.time.Clock.systemUTC(), mapper);
    this.controls = new ControlResponder(commands, policy, controlCounters,
        new ControlResponder.Limits(replyLimits, control.maxHandlers(), control.maxBusyReplies()), config.nodeId(), storage.notifier(), mapper);
    this.mapper = mapper;
  }

  /**
   * Starts the daemon and waits (up to {@code readyTimeout}) until it listens on every channel.
   *
   * @throws ConfigException when a schedule or on-start task names a task that is not registered
   * @throws StorageException when the database answers but the schema cannot be migrated (one that
   *     does not answer yet is migrated later, see {@link PostgresStorage#migrateAtStart()})
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
    try {
      storage.migrateAtStart(); // before any part uses the schema
    } catch (StorageException e) {
      timer.shutdownNow();
      dataSource.close();
      throw e;
    }
    registerGauges();
    if (config.http().enabled()) {
      try {
        metricsServer = new MetricsServer(config.http().host(), config.http().port(), metrics.prometheus(), this::health);
      } catch (java.io.IOException e) {
        throw new ConfigException("metrics.port", "cannot serve on " + config.http().host() + ":" + config.http().port() + ": " + e.getMessage());
      }
    }
    loop.start();
    listener.start();
    if (!listener.awaitListening(readyTimeout)) {
      log.warn("not listening after {} s; will keep trying to connect to {}", readyTimeout.toSeconds(), config.database().listenAddress());
    }
    hooks.onStart(new DispatcherInfo(config.nodeId(), dataSource));
    idleWatch(true);
    schedules.start();
    onStart.start();
    log.info("dispatcher ready: node {} listening on {} with {} worker(s)", config.nodeId(), config.channels(), config.pool().maxWorkers());
  }

  /**
   * Cancels this daemon's work matching a uuid and/or a task name: running tasks are interrupted,
   * queued, held and delayed ones removed. Each cancelled message is logged with its uuid.
   */
  public List<WorkerPool.Located> cancel(String uuid, String taskName) {
    List<WorkerPool.Located> cancelled = pool.cancel(uuid, taskName);
    for (WorkerPool.Located located : cancelled) {
      if (located.place() != WorkerPool.Place.RUNNING) {
        metrics.cancelled.increment(); // a running one is counted when it ends as cancelled
      }
      log.info("cancelled task {} {} ({})", located.work().message().uuid(), located.work().message().task(),
          located.place().name().toLowerCase(java.util.Locale.ROOT));
    }
    return cancelled;
  }

  private void registerGauges() {
    PrometheusMetrics prometheus = metrics.prometheus();
    prometheus.gauge("dispatcher_pool_running", "Tasks running", pool, WorkerPool::running);
    prometheus.gauge("dispatcher_pool_queued", "Tasks waiting for a worker", pool, WorkerPool::queued);
    prometheus.gauge("dispatcher_pool_held", "Tasks held by on_duplicate", pool, WorkerPool::held);
    prometheus.gauge("dispatcher_pool_delayed", "Tasks waiting for their delay", pool, WorkerPool::delayed);
    prometheus.gauge("dispatcher_pool_max_workers", "Tasks that may run at once", pool, WorkerPool::maxWorkers);
    prometheus.gauge("dispatcher_dispatch_backlog", "Messages received, not yet dispatched", loop, DispatchLoop::backlog);
    prometheus.gauge("dispatcher_dispatch_backlog_bytes", "Estimated memory of the backlog", loop, DispatchLoop::backlogBytes);
    prometheus.gauge("dispatcher_pool_waiting_bytes", "Estimated memory of queued, held and delayed tasks", pool, WorkerPool::waitingBytes);
    prometheus.gauge("dispatcher_listener_connected", "1 while the LISTEN connection is up", listener, l -> l.isConnected() ? 1 : 0);
    ChunkAssembler.Stats chunks = loop.chunkStats();
    prometheus.counter("dispatcher_chunked_messages", "Chunked messages, by result", "result", "completed", chunks.completed);
    prometheus.counter("dispatcher_chunked_messages", "Chunked messages, by result", "result", "expired", chunks.expired);
    prometheus.counter("dispatcher_chunked_messages", "Chunked messages, by result", "result", "invalid", chunks.invalid);
    prometheus.counter("dispatcher_chunked_messages", "Chunked messages, by result", "result", "evicted", chunks.evictedForSpace);
  }

  /** Healthy while nothing fatal happened, the listener is connected and its last self-check (if any) passed. */
  private MetricsServer.Health health() {
    boolean connected = listener.isConnected();
    boolean checked = listener.lastSelfCheckPassed();
    String fatal = failure.failure().map(FatalFailure.Failure::describe).orElse(null);
    String reason = fatal != null ? fatal : !connected ? "the LISTEN connection is down" : !checked ? "the last listener self-check failed" : null;
    String json = "{\"status\":\"" + (reason == null ? "ok" : "unavailable") + "\",\"node_id\":" + quote(config.nodeId())
        + ",\"listener_connected\":" + connected + ",\"last_self_check_passed\":" + checked
        + (reason == null ? "" : ",\"reason\":" + quote(reason)) + "}";
    return new MetricsServer.Health(reason == null, json);
  }

  private String quote(String text) {
    try {
      return mapper.writeValueAsString(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A bound task's context.control(...): the command runs here, on the task's thread. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> localControl(String command, Map<String, ?> data) {
    try {
      return mapper.convertValue(commands.run(command, mapper.valueToTree(data)).put("node_id", config.nodeId()), Map.class);
    } catch (ControlCommands.UnknownCommandException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Control messages from the dispatch loop: answered on their own virtual threads. */
  private void control(com.fasterxml.jackson.databind.node.ObjectNode message, String channel) {
    controls.accept(message, channel);
  }

  /** What control commands see of this daemon. */
  private DaemonView view(TaskRegistry registry) {
    return new DaemonView() {
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
        return Dispatcher.this.cancel(uuid, taskName);
      }

      @Override
      public DispatcherMetrics metrics() {
        return metrics;
      }

      @Override
      public ChunkAssembler.Stats chunkStats() {
        return loop.chunkStats();
      }

      @Override
      public int backlog() {
        return loop.backlog();
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
      public dev.dispatcher.service.registry.RegisteredTask task(String name) {
        return registry.find(name);
      }

      @Override
      public void run(dev.dispatcher.service.intake.TaskMessage message) {
        loop.local(message);
      }
    };
  }

  /** Callbacks and errbacks go through the dispatch loop like any other local task. */
  private void followUp(dev.dispatcher.service.intake.TaskMessage message) {
    loop.local(message);
  }

  /** Calls the hooks' onIdle once the pool has been idle for pool.idle_after; work arriving first calls it off. */
  private void idleWatch(boolean idle) {
    synchronized (idleLock) {
      if (idleTimer != null) {
        idleTimer.cancel(false);
        idleTimer = null;
      }
      if (idle && !hooks.isEmpty() && !timer.isShutdown()) {
        idleTimer = timer.schedule(hooks::onIdle, config.pool().idleAfter().toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  public DispatcherMetrics metrics() {
    return metrics;
  }

  /** Reported when a part of the daemon that must never stop stopped; the caller should then stop the daemon. */
  public FatalFailure failure() {
    return failure;
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
    if (metricsServer != null) {
      metricsServer.close();
    }
    List<Inbound> undecoded = loop.stop();
    for (Inbound left : undecoded) {
      log.warn("abandoned on shutdown before dispatch: {}", left instanceof Inbound.Local local ? "task " + local.message().uuid() : "a notification");
    }
    List<Work> abandoned = pool.shutdown(config.pool().shutdownGracePeriod());
    for (Work work : abandoned) {
      log.warn("abandoned on shutdown: task {} {} (queued, held or delayed)", work.message().uuid(), work.message().task());
    }
    hooks.onShutdown();
    timer.shutdownNow(); // what it still held (timeouts, schedules, the idle timer) no longer matters
    followUpPublisher.close();
    dataSource.close();
    ChunkAssembler.Stats chunks = loop.chunkStats();
    log.info("dispatcher stopped: {} chunks_completed={} chunks_expired={} chunks_invalid={} chunks_evicted={}", metrics.summary(),
        chunks.completed.sum(), chunks.expired.sum(), chunks.invalid.sum(), chunks.evictedForSpace.sum());
  }
}
