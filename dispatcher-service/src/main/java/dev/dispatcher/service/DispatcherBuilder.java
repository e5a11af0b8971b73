package dev.dispatcher.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.Publisher;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlSignature;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.api.ApiServer;
import dev.dispatcher.service.completion.DurableCompleter;
import dev.dispatcher.service.completion.FireAndForgetCompleter;
import dev.dispatcher.service.completion.RecordingCompleter;
import dev.dispatcher.service.completion.ResultLimit;
import dev.dispatcher.service.completion.RoutingCompleter;
import dev.dispatcher.service.events.EventPayloads;
import dev.dispatcher.service.events.EventPublisher;
import dev.dispatcher.service.events.StatusEvents;
import dev.dispatcher.service.config.ConfigException;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.control.Command;
import dev.dispatcher.service.control.ControlCommands;
import dev.dispatcher.service.control.ControlPolicy;
import dev.dispatcher.service.control.ControlResponder;
import dev.dispatcher.service.control.ReplyLimits;
import dev.dispatcher.service.durable.Claimer;
import dev.dispatcher.service.durable.CompletionWriter;
import dev.dispatcher.service.durable.Heartbeat;
import dev.dispatcher.service.durable.Maintenance;
import dev.dispatcher.service.durable.ProgressWriter;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.DispatcherInfo;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.hooks.IdleWatch;
import dev.dispatcher.service.intake.AdmissionLog;
import dev.dispatcher.service.intake.Backlog;
import dev.dispatcher.service.intake.DispatchLoop;
import dev.dispatcher.service.intake.MessageDecoder;
import dev.dispatcher.service.lifecycle.Service;
import dev.dispatcher.service.listener.PgNotifyListener;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.message.MessageLimits;
import dev.dispatcher.service.message.TaskFilter;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.metrics.MetricsServer;
import dev.dispatcher.service.metrics.PrometheusMetrics;
import dev.dispatcher.service.pool.Cancellations;
import dev.dispatcher.service.pool.Completer;
import dev.dispatcher.service.pool.TaskExecution;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.producers.OnStartProducer;
import dev.dispatcher.service.producers.ScheduleProducer;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.EventSubscription;
import dev.dispatcher.service.storage.PostgresStorage;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.suspension.Suspensions;
import dev.dispatcher.service.webhook.WebhookDelivery;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composes the daemon from its configuration: every part built once, in the order data flows
 * (publish → listener → backlog → decode → admission → pool slot → run → complete), and the
 * long-lived ones listed as {@link Service}s in the order they start. Nothing runs until
 * {@link Dispatcher#start}; nothing here is used once the daemon is built.
 */
final class DispatcherBuilder {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private DispatcherBuilder() {}

  static Dispatcher build(DispatcherConfig config, TaskRegistry scanned, List<DispatcherHook> hookList, Duration readyTimeout) {
    ObjectMapper mapper = WireFormat.newObjectMapper();
    TaskRegistry registry = config.webhooks().enabled() ? withWebhooks(scanned, config, mapper) : scanned;
    checkTaskNames(config, registry);
    DispatcherMetrics metrics = new DispatcherMetrics(config.http().recordsTaskHistograms());
    FatalFailure failure = new FatalFailure();
    ScheduledThreadPoolExecutor scheduled = new ScheduledThreadPoolExecutor(1,
        Thread.ofPlatform().name("dispatcher-timer").daemon(true).factory());
    scheduled.setRemoveOnCancelPolicy(true); // cancelled timeouts must not pile up in the queue
    ScheduledExecutorService timer = Executors.unconfigurableScheduledExecutorService(scheduled);
    HikariDataSource dataSource = ConnectionPools.create(config.database().url(), "dispatcher-daemon", 4);
    // Every SQL statement of the daemon but the listener's session, in the schema its migrations keep
    PostgresStorage storage = new PostgresStorage(config.database().url(), SchemaName.of(config.database().schema()), dataSource,
        config.nodeId());
    Publisher followUpPublisher = Publisher.builder().dataSource(dataSource).defaultChannel(config.defaultPublishChannel())
        .schema(config.database().schema()).build(); // durable follow-ups go to this daemon's schema
    DispatcherConfig.Limits limits = config.limits();

    // intake: what producers hand over, and how messages are read
    Backlog backlog = new Backlog(new Backlog.Bounds(limits.maxBacklog(), limits.maxBacklogBytes()), metrics);
    TaskMessageReader messages = new TaskMessageReader(mapper, MessageLimits.of(limits.maxDelay(), limits.maxTimeout()));

    // run, then complete
    Hooks hooks = new Hooks(hookList);
    IdleWatch idle = new IdleWatch(hooks, timer, config.pool().idleAfter());
    // tasks' own transactions (context.transaction()): a pool of their own, so they never take the daemon's connections
    HikariDataSource taskTransactions = ConnectionPools.create(config.database().url(), "dispatcher-task-transactions",
        config.pool().maxWorkers());
    DurableTasks durableRows = storage.durableTasks();
    ScheduledExecutorService progressTimer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("dispatcher-progress").daemon(true).factory());
    ProgressWriter progress = new ProgressWriter(durableRows, progressTimer); // coalesced: at most a statement a second
    RunServices runServices = new RunServices(followUpPublisher, config.nodeId(), mapper, taskTransactions, progress::report);
    // status events (off by default): published on their own thread, never waited for by a run
    EventPublisher eventPublisher = config.events().enabled()
        ? new EventPublisher(config.events().channel(), config.events().taskChannels(), config.events().maxQueued(), storage.notifier(),
            new EventPayloads(mapper), metrics) : null;
    StatusEvents statusEvents = eventPublisher == null ? StatusEvents.NONE : eventPublisher;
    FireAndForgetCompleter completer = new FireAndForgetCompleter(hooks, metrics, messages, backlog::local, statusEvents);
    DispatcherConfig.Durable durableSettings = config.durable();
    // the grace period's tasks end, then their outcomes are written: within the same time again
    CompletionWriter outcomes = new CompletionWriter(durableRows, metrics, config.pool().shutdownGracePeriod().plusSeconds(5));
    AtomicBoolean stopping = new AtomicBoolean();
    ResultLimit resultLimit = new ResultLimit(mapper, durableSettings.maxResultKib());
    DurableCompleter durableCompleter = new DurableCompleter(completer, outcomes::accept, durableRows::completeIn,
        stopping::get, metrics, mapper, config.nodeId(), resultLimit);
    TaskExecution execution = new TaskExecution(config.nodeId(), hooks, metrics, timer, mapper, runServices,
        new RoutingCompleter(fireAndForgetCompleter(config, registry, completer, outcomes, resultLimit, mapper), durableCompleter),
        statusEvents);
    AdmissionLog admissions = new AdmissionLog(metrics);
    WorkerPool pool = new WorkerPool(config.pool().maxWorkers(), execution::run, timer, new WorkerPool.Events() {
      @Override
      public void admitted(Work work, WorkerPool.Admission admission) {
        admissions.admitted(work, admission);
      }

      @Override
      public void idleChanged(boolean isIdle) {
        idle.idleChanged(isIdle);
      }
    }, new WorkerPool.Bounds(limits.maxWaiting(), limits.maxDelayed(), limits.maxWaitingBytes(),
        limits.maxDelayedBytes()));
    Cancellations cancellations = new Cancellations(pool, metrics, durableSettings.enabled() ? new Cancellations.DurableRows() {
      @Override
      public void cancelledBeforeStart(Work work) {
        outcomes.accept(new DurableTasks.Completion.Cancelled(work.claim().rowId(), work.claim().attempt()));
      }

      @Override
      public Cancellations.WaitingRows cancelWaiting(TaskFilter filter, int maxListed) {
        if (filter.hasImpossibleCondition() || filter.hasArgumentConditions()) {
          return Cancellations.WaitingRows.NONE; // the table is searched by uuid and task name only
        }
        try {
          DurableTasks.CancelledRows rows = durableRows.cancelWaiting(filter.uuidCondition(), filter.taskCondition(), maxListed);
          return new Cancellations.WaitingRows(rows.count(),
              rows.listed().stream().map(row -> new Cancellations.CancelledRow(row.uuid(), row.task(), row.channel())).toList());
        } catch (SQLException e) {
          log.warn("cannot cancel durable rows not claimed yet: {}", UntrustedText.of(e.getMessage(), 500));
          return Cancellations.WaitingRows.NONE;
        }
      }
    } : Cancellations.DurableRows.NONE);

    // the control plane, fed by the dispatch loop
    DispatcherConfig.Control control = config.control();
    ReplyLimits replyLimits = new ReplyLimits(control.maxReplyEntries(), control.maxReplyBytes());
    ControlPolicy policy = ControlPolicy.of(
        control.allow().stream().map(name -> Command.of(name).orElseThrow()).collect(Collectors.toSet()),
        Pattern.compile(control.replyToPattern()),
        control.secret() == null ? null : new ControlSignature(control.secret()),
        control.signatureWindow(), control.maxNonces(), Clock.systemUTC(), mapper);
    ChunkAssembler chunks = new ChunkAssembler(config.chunks().timeout().toNanos(), config.chunks().maxBufferedBytes(), metrics::chunks);

    // producers
    // A recognisable application_name lets operators find the listener's backend in pg_stat_activity.
    DatabaseUrl listenAddress = config.database().listenAddress().withDefaultOption("ApplicationName", "dispatcher-listener " + config.nodeId());
    PgNotifyListener listener = new PgNotifyListener(listenAddress, config.channels(), backlog::notified, metrics, new PgNotifyListener.SelfCheck(
        config.listener().selfCheckAfter(), config.listener().selfCheckTimeout()), failure);
    ScheduleProducer schedules = new ScheduleProducer(config.schedules(), timer, backlog, mapper, storage.tickClaims(), durableRows,
        config.defaultPublishChannel() != null ? config.defaultPublishChannel() : config.channels().get(0), Clock.systemUTC());
    OnStartProducer onStart = new OnStartProducer(config.onStart(), backlog, mapper);

    // durable delivery: claims sized by the free slots, leases kept alive, the table kept clean
    ScheduledExecutorService heartbeatTimer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("dispatcher-heartbeat").daemon(true).factory());
    ScheduledExecutorService maintenanceTimer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("dispatcher-maintenance").daemon(true).factory());
    // suspended task types, cluster-wide: their rows wait in the table, their fire-and-forget messages are dropped
    ScheduledExecutorService suspensionTimer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("dispatcher-suspensions").daemon(true).factory());
    Suspensions suspensions = new Suspensions(storage.suspendedTasks(), suspensionTimer, config.nodeId());
    Claimer claimer = new Claimer(durableRows, pool, registry, messages, mapper, config.channels(), durableSettings, config.nodeId(),
        suspensions::notSuspended, outcomes::accept, outcomes::pending, metrics);
    Heartbeat heartbeat = new Heartbeat(durableRows, pool, outcomes, heartbeatTimer, durableSettings.heartbeatInterval(),
        durableSettings.lease(), config.nodeId());
    Maintenance maintenance = new Maintenance(durableRows, maintenanceTimer, durableSettings, metrics);
    if (durableSettings.enabled()) {
      pool.addSlotListener(free -> claimer.slotFreed());
      outcomes.onWritten(claimer::outcomesWritten); // a limited task's running rows drop once their outcomes are written
      listener.onEachListen(claimer::wake); // catch up on what was enqueued while the listener was away
      suspensions.onResume(claimer::wake); // a resumed task's backlog is claimed at once
    }

    DaemonHealth health = new DaemonHealth(config.nodeId(), listener, failure, mapper,
        durableSettings.enabled() ? claimer::isReachable : () -> true);
    ControlCommands commands = new ControlCommands(
        new DispatcherView(config, registry, pool, cancellations, backlog, health, metrics.counts(), chunks::pendingMessages,
            durableSettings.enabled() ? maintenance::rowsByState : Map::of, suspensions), mapper,
        replyLimits, metrics, messages);
    ControlResponder responder = new ControlResponder(commands, policy, metrics,
        new ControlResponder.Limits(replyLimits, control.maxHandlers(), control.maxBusyReplies()), config.nodeId(), storage.notifier(), mapper);
    runServices.bind(cancellations, commands);

    // the one thread between the backlog and the pool; control messages go to the responder
    DispatchLoop loop = new DispatchLoop(backlog, new MessageDecoder(mapper, chunks, messages, metrics), registry, pool, admissions, metrics,
        responder::accept, durableSettings.enabled() ? claimer::wake : () -> { }, suspensions::isSuspended, failure);

    registerGauges(metrics.prometheus(), pool, backlog, listener);
    if (durableSettings.enabled()) {
      for (String state : DurableTasks.STATES) {
        // sampled by the maintenance every cleanup_interval: a scrape never queries the table
        metrics.prometheus().gauge("dispatcher_durable_rows", "Durable rows by state, every node's, as last counted", "state", state,
            maintenance, m -> m.rowsByState().isEmpty() ? Double.NaN : m.rowsByState().getOrDefault(state, 0L));
      }
      metrics.prometheus().gauge("dispatcher_durable_pending_completions", "Durable outcomes of this node waiting to be written", outcomes,
          CompletionWriter::pending);
    }

    // start order; they stop in reverse: the producers first, the pool (running tasks get the grace period) and the hooks last
    List<Service> services = new ArrayList<>();
    // before any part uses the schema; a database that does not answer yet is migrated at first use
    services.add(Service.of("schema migrations", storage::migrateAtStart, Service.Action.NONE));
    AtomicBoolean started = new AtomicBoolean(); // ready: every part runs (set by the last service, cleared first at stop)
    if (config.http().enabled()) {
      services.add(metricsServer(config, metrics, health, started::get));
    }
    services.add(Service.of("hooks", () -> hooks.onStart(new DispatcherInfo(config.nodeId(), dataSource)), hooks::onShutdown));
    if (eventPublisher != null) {
      services.add(eventPublisher); // stops after the pool: the grace period's events are sent
    }
    services.add(suspensions); // known before the first message is dispatched and the first row claimed
    if (durableSettings.enabled()) {
      services.add(outcomes); // stops after the pool: the grace period's outcomes are written
      services.add(heartbeat); // the leases last while the grace period runs
      services.add(progress); // its last reports are written after the pool's grace period
    }
    // the abandoned are counted and logged before the grace period, which a second signal may cut short
    services.add(Service.of("pool", Service.Action.NONE, () -> {
      stopping.set(true);
      pool.shutdown(config.pool().shutdownGracePeriod(), work -> {
        if (work.claim() != null) {
          outcomes.accept(new DurableTasks.Completion.Released(work.claim().rowId(), work.claim().attempt(), config.nodeId()));
          log.info("released on shutdown: durable task {} {} (another node, or this one at its next start, runs it)",
              work.message().uuid(), work.message().task());
          return;
        }
        metrics.dropped(DropReason.SHUTTING_DOWN);
        log.warn("abandoned on shutdown: task {} {} (queued, held or delayed)", UntrustedText.of(work.message().uuid()), work.message().task());
      });
    }));
    services.add(loop);
    if (durableSettings.enabled()) {
      services.add(claimer);
      services.add(maintenance);
    }
    services.add(Service.of("listener", () -> {
      listener.start();
      if (!listener.awaitListening(readyTimeout)) {
        log.warn("not listening after {} s: not connected yet; retrying to connect to {}; it reports ready once it listens",
            readyTimeout.toSeconds(), listenAddress);
      }
    }, listener::close));
    services.add(idle);
    services.add(Service.of("schedules", schedules::start, schedules::close));
    services.add(onStart);
    if (config.api().enabled()) {
      ControlClient apiControl = config.control().secret() == null ? ControlClient.of(dataSource)
          : ControlClient.of(dataSource).withSecret(config.control().secret()); // the API's cancel is an acting command
      ApiServer api = ApiServer.create(config.api(), mapper, registry, durableRows, storage.taskRecords(), suspensions, apiControl,
          config.channels(), config.defaultPublishChannel() != null ? config.defaultPublishChannel() : config.channels().get(0),
          () -> schedules(config, mapper), () -> health.ready(started.get()).healthy(),
          config.events().enabled() ? EventSubscription.listening(config.database().url(), config.events().channel()) : null);
      services.add(Service.of("http api", () -> {
        try {
          api.start();
        } catch (IOException e) {
          throw new ConfigException("api.port", "cannot serve on " + config.api().host() + ":" + config.api().port() + ": " + e.getMessage());
        }
      }, api::stop));
    }
    services.add(Service.of("ready", () -> started.set(true), () -> started.set(false)));
    return new Dispatcher(metrics.counts(), failure, services, pool, listener, new UnfinishedWork(pool, backlog),
        List.of(timer::shutdownNow, heartbeatTimer::shutdownNow, maintenanceTimer::shutdownNow, suspensionTimer::shutdownNow, progressTimer::shutdownNow, followUpPublisher::close, taskTransactions::close, dataSource::close));
  }

  /**
   * What follows a fire-and-forget run: the report, and for tasks that record their runs
   * ({@code @Task(record = true)}) a finished row through the completion writer, which runs only
   * where durable delivery is enabled.
   */
  private static Completer fireAndForgetCompleter(DispatcherConfig config, TaskRegistry registry, FireAndForgetCompleter completer,
      CompletionWriter outcomes, ResultLimit resultLimit, ObjectMapper mapper) {
    List<String> recording = registry.all().stream().filter(task -> task.definition().record()).map(task -> task.name()).toList();
    if (!config.durable().enabled()) {
      if (!recording.isEmpty()) {
        log.warn("durable.enabled is false: the runs of {} (@Task(record = true)) are not recorded", UntrustedText.of(recording, 500));
      }
      return completer;
    }
    return recording.isEmpty() ? completer : new RecordingCompleter(completer, outcomes::accept, resultLimit, mapper, config.nodeId());
  }

  /** {@code GET /api/v1/schedules}: the configured schedules. */
  private static ObjectNode schedules(DispatcherConfig config, ObjectMapper mapper) {
    ObjectNode reply = mapper.createObjectNode();
    ArrayNode list = reply.putArray("schedules");
    for (DispatcherConfig.Schedule schedule : config.schedules()) {
      ObjectNode entry = list.addObject();
      entry.put("name", schedule.name());
      entry.put("task", schedule.submission().task());
      if (schedule.interval() != null) {
        entry.put("interval_seconds", schedule.interval().toMillis() / 1000.0);
      } else {
        entry.put("cron", schedule.cron().toString());
        entry.put("timezone", schedule.timezone().getId());
      }
      entry.put("cluster_wide", schedule.clusterWide());
      entry.put("durable", schedule.durable());
      if (schedule.channel() != null) {
        entry.put("channel", schedule.channel());
      }
    }
    return reply;
  }

  private static TaskRegistry withWebhooks(TaskRegistry scanned, DispatcherConfig config, ObjectMapper mapper) {
    try {
      TaskRegistry registry = scanned.plus(new WebhookDelivery(config.webhooks()), mapper);
      log.info("registered task {} (built in: the webhook relay)", WebhookDelivery.TASK);
      return registry;
    } catch (IllegalArgumentException e) {
      throw new ConfigException("webhooks.enabled", e.getMessage());
    }
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

  /** GET /metrics and /health; a port that cannot be served is a config error naming the key. */
  private static Service metricsServer(DispatcherConfig config, DispatcherMetrics metrics, DaemonHealth health, BooleanSupplier started) {
    DispatcherConfig.Http http = config.http();
    MetricsServer server = new MetricsServer(http.host(), http.port(), metrics.prometheus(), health::check, health::live,
        () -> health.ready(started.getAsBoolean()));
    return Service.of("metrics server", () -> {
      try {
        server.start();
      } catch (IOException e) {
        throw new ConfigException("metrics.port", "cannot serve on " + http.host() + ":" + http.port() + ": " + e.getMessage());
      }
    }, server::stop);
  }

  private static void registerGauges(PrometheusMetrics prometheus, WorkerPool pool, Backlog backlog, PgNotifyListener listener) {
    prometheus.gauge("dispatcher_pool_running", "Tasks running", pool, WorkerPool::running);
    prometheus.gauge("dispatcher_pool_queued", "Tasks waiting for a worker", pool, WorkerPool::queued);
    prometheus.gauge("dispatcher_pool_held", "Tasks held by on_duplicate", pool, WorkerPool::held);
    prometheus.gauge("dispatcher_pool_delayed", "Tasks waiting for their delay", pool, WorkerPool::delayed);
    prometheus.gauge("dispatcher_pool_max_workers", "Tasks that may run at once", pool, WorkerPool::maxWorkers);
    prometheus.gauge("dispatcher_dispatch_backlog", "Messages received, not yet dispatched", backlog, Backlog::size);
    prometheus.gauge("dispatcher_dispatch_backlog_bytes", "Estimated memory of the backlog", backlog, Backlog::bytes);
    prometheus.gauge("dispatcher_pool_waiting_bytes", "Estimated memory of queued, held and delayed tasks", pool, WorkerPool::waitingBytes);
    prometheus.gauge("dispatcher_listener_connected", "1 while the LISTEN connection is up", listener, l -> l.isConnected() ? 1 : 0);
  }
}
