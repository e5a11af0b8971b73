package dev.dispatcher.service.config;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.cron.CronExpression;
import dev.dispatcher.service.storage.SchemaName;
import java.time.Duration;
import java.time.ZoneId;
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
 * @param schedules interval and cron schedules
 * @param onStart tasks run once when the daemon starts
 * @param chunks limits for reassembling chunked messages
 * @param listener how the LISTEN connection is checked
 * @param http where GET /metrics and /health are served; port 0 means off
 * @param limits what the daemon holds in memory at most, and the largest delay and timeout it accepts
 * @param control who may send which control commands, and the bounds of their handling
 * @param durable how durable tasks are claimed, kept alive, retried and cleaned up
 * @param api the HTTP API (off by default)
 * @param webhooks the webhook relay, a built-in durable task (off by default)
 * @param events status events published with NOTIFY (off by default)
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
    List<Submission> onStart,
    Chunks chunks,
    Listener listener,
    Http http,
    Limits limits,
    Control control,
    Durable durable,
    Api api,
    Webhooks webhooks,
    Events events) {

  public DispatcherConfig {
    channels = List.copyOf(channels);
    hooks = List.copyOf(hooks);
    schedules = List.copyOf(schedules);
    onStart = List.copyOf(onStart);
    chunks = chunks == null ? Chunks.DEFAULT : chunks;
    listener = listener == null ? Listener.DEFAULT : listener;
    http = http == null ? Http.OFF : http;
    limits = limits == null ? Limits.forHeap(Runtime.getRuntime().maxMemory()) : limits;
    control = control == null ? Control.DEFAULT : control;
    durable = durable == null ? Durable.DEFAULT : durable;
    api = api == null ? Api.OFF : api;
    webhooks = webhooks == null ? Webhooks.OFF : webhooks;
    events = events == null ? Events.OFF : events;
  }

  /** A configuration without status events. */
  public DispatcherConfig(Database database, List<String> channels, String defaultPublishChannel, String nodeId, Pool pool,
      TaskSources tasks, List<String> hooks, List<Schedule> schedules, List<Submission> onStart, Chunks chunks, Listener listener,
      Http http, Limits limits, Control control, Durable durable, Api api, Webhooks webhooks) {
    this(database, channels, defaultPublishChannel, nodeId, pool, tasks, hooks, schedules, onStart, chunks, listener, http, limits, control,
        durable, api, webhooks, Events.OFF);
  }

  /** A configuration without the webhook relay. */
  public DispatcherConfig(Database database, List<String> channels, String defaultPublishChannel, String nodeId, Pool pool,
      TaskSources tasks, List<String> hooks, List<Schedule> schedules, List<Submission> onStart, Chunks chunks, Listener listener,
      Http http, Limits limits, Control control, Durable durable, Api api) {
    this(database, channels, defaultPublishChannel, nodeId, pool, tasks, hooks, schedules, onStart, chunks, listener, http, limits, control,
        durable, api, Webhooks.OFF);
  }

  /** A configuration without the HTTP API. */
  public DispatcherConfig(Database database, List<String> channels, String defaultPublishChannel, String nodeId, Pool pool,
      TaskSources tasks, List<String> hooks, List<Schedule> schedules, List<Submission> onStart, Chunks chunks, Listener listener,
      Http http, Limits limits, Control control, Durable durable) {
    this(database, channels, defaultPublishChannel, nodeId, pool, tasks, hooks, schedules, onStart, chunks, listener, http, limits, control,
        durable, Api.OFF, Webhooks.OFF);
  }

  /** A configuration with the default durable settings. */
  public DispatcherConfig(Database database, List<String> channels, String defaultPublishChannel, String nodeId, Pool pool,
      TaskSources tasks, List<String> hooks, List<Schedule> schedules, List<Submission> onStart, Chunks chunks, Listener listener,
      Http http, Limits limits, Control control) {
    this(database, channels, defaultPublishChannel, nodeId, pool, tasks, hooks, schedules, onStart, chunks, listener, http, limits, control,
        Durable.DEFAULT);
  }

  /** A configuration with the default chunk limits. */
  public DispatcherConfig(Database database, List<String> channels, String defaultPublishChannel, String nodeId, Pool pool,
      TaskSources tasks, List<String> hooks, List<Schedule> schedules, List<Submission> onStart) {
    this(database, channels, defaultPublishChannel, nodeId, pool, tasks, hooks, schedules, onStart, Chunks.DEFAULT, Listener.DEFAULT, Http.OFF,
        null, Control.DEFAULT, Durable.DEFAULT);
  }

  /**
   * Durable delivery: the daemon claims rows of the channels it listens on (a channel is also a
   * durable queue's name), as many as its pool has free slots.
   *
   * @param enabled whether this daemon claims durable tasks at all
   * @param pollInterval how often it looks for rows without a doorbell (a lost NOTIFY costs at most this)
   * @param lease how long a claim holds a row without a heartbeat; past it another node may run it
   * @param heartbeatInterval how often the leases of this node's rows are extended
   * @param rescueInterval how often rows whose lease ran out are returned (by any node)
   * @param claimBatch rows claimed per statement at most
   * @param completedRetention how long completed and cancelled rows are kept
   * @param failedRetention how long failed rows (the dead letter) are kept
   * @param cleanupInterval how often finished rows past their retention are deleted, and dead rows vacuumed
   * @param vacuumDeadRows dead rows of the table past which it is vacuumed (autovacuum may be off)
   * @param prefetch rows a node may claim beyond its free slots, to wait in its queue: 0 claims for
   *     free slots only (no node holds a row it cannot start); more lets a node keep its slots
   *     busy while its next claim is on its way, at the price of rows others cannot take meanwhile
   * @param maxResultKib the largest task result kept in a row, as JSON, in KiB (0: none); a larger one
   *     is not kept, its row says so ({@code result_omitted}) and how large it was ({@code result_bytes})
   * @param maxPendingCompletions outcomes waiting to be written past which a node claims nothing
   *     more (a run's slot frees when it ends, its row only when its outcome is written: without
   *     this bound a slow writer lets the claimed rows pile up under lease)
   */
  public record Durable(boolean enabled, Duration pollInterval, Duration lease, Duration heartbeatInterval, Duration rescueInterval,
      int claimBatch, Duration completedRetention, Duration failedRetention, Duration cleanupInterval, long vacuumDeadRows, int prefetch,
      int maxResultKib, int maxPendingCompletions) {

    /** Four completion batches. */
    public static final int DEFAULT_MAX_PENDING_COMPLETIONS = 4000;
    public static final int DEFAULT_MAX_RESULT_KIB = 64;

    public static final Durable DEFAULT = new Durable(true, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(5), 1000, Duration.ofHours(1), Duration.ofDays(7), Duration.ofSeconds(30), 20_000, 0, DEFAULT_MAX_RESULT_KIB,
        DEFAULT_MAX_PENDING_COMPLETIONS);

    /** The settings with the default result limit ({@code max_result_kib}) and bound of pending outcomes. */
    public Durable(boolean enabled, Duration pollInterval, Duration lease, Duration heartbeatInterval, Duration rescueInterval,
        int claimBatch, Duration completedRetention, Duration failedRetention, Duration cleanupInterval, long vacuumDeadRows, int prefetch) {
      this(enabled, pollInterval, lease, heartbeatInterval, rescueInterval, claimBatch, completedRetention, failedRetention, cleanupInterval,
          vacuumDeadRows, prefetch, DEFAULT_MAX_RESULT_KIB, DEFAULT_MAX_PENDING_COMPLETIONS);
    }

    /** The settings without prefetch. */
    public Durable(boolean enabled, Duration pollInterval, Duration lease, Duration heartbeatInterval, Duration rescueInterval,
        int claimBatch, Duration completedRetention, Duration failedRetention, Duration cleanupInterval, long vacuumDeadRows) {
      this(enabled, pollInterval, lease, heartbeatInterval, rescueInterval, claimBatch, completedRetention, failedRetention, cleanupInterval,
          vacuumDeadRows, 0);
    }
  }

  /**
   * The control plane. Read-only commands are always answered; acting ones only when listed.
   *
   * @param allow the acting commands this daemon carries out (e.g. cancel, run, set_log_level); default none
   * @param replyToPattern a regular expression every {@code reply_to} must match whole
   * @param maxReplyEntries entries a listing reply (running, cancel, workers) shows at most
   * @param maxReplyBytes a reply's size at most, in bytes
   * @param maxHandlers control commands handled at once
   * @param maxBusyReplies "busy" answers in flight at once when every handler is taken
   * @param signatureWindow how far a signature's time may be from the daemon's
   * @param maxNonces signed messages remembered within the window, against replay
   * @param secret the HMAC secret acting commands must be signed with, or null (from
   *     {@code DISPATCHER_CONTROL_SECRET}; never printed by {@link #toString()})
   */
  public record Control(List<String> allow, String replyToPattern, int maxReplyEntries, int maxReplyBytes, int maxHandlers,
      int maxBusyReplies, Duration signatureWindow, int maxNonces, String secret) {

    /** Read-only commands only, unsigned, with the default bounds. */
    public static final Control DEFAULT = new Control(List.of(), dev.dispatcher.service.control.ControlPolicy.DEFAULT_REPLY_TO_PATTERN, 1000, 1024 * 1024, 4, 16,
        Duration.ofSeconds(60), 10_000, null);

    public Control {
      allow = List.copyOf(allow);
    }

    @Override
    public String toString() {
      return "Control[allow=" + allow + ", replyToPattern=" + replyToPattern + ", maxReplyEntries=" + maxReplyEntries
          + ", maxReplyBytes=" + maxReplyBytes + ", maxHandlers=" + maxHandlers + ", maxBusyReplies=" + maxBusyReplies
          + ", signatureWindow=" + signatureWindow + ", maxNonces=" + maxNonces + ", secret=" + (secret == null ? "none" : "(hidden)") + "]";
    }
  }

  /**
   * The HTTP endpoint for metrics and health; off when the port is 0.
   *
   * @param taskHistograms whether runs are recorded in the per-task duration and queue-wait
   *     histograms (they cost more per run than the rest of the metrics together); never when the
   *     endpoint is off, since nothing could read them
   */
  public record Http(String host, int port, boolean taskHistograms) {
    public static final Http OFF = new Http("127.0.0.1", 0, true);

    public Http(String host, int port) {
      this(host, port, true);
    }

    /** Whether runs are recorded in the per-task histograms. */
    public boolean recordsTaskHistograms() {
      return enabled() && taskHistograms;
    }

    public boolean enabled() {
      return port > 0;
    }
  }

  /**
   * Database addresses, and the schema of the daemon's tables.
   *
   * @param schema a plain lower-case identifier (see {@code storage.SchemaName}), {@code dispatcher} by default
   */
  public record Database(DatabaseUrl url, DatabaseUrl listenUrl, String schema) {

    /** In the default schema. */
    public Database(DatabaseUrl url, DatabaseUrl listenUrl) {
      this(url, listenUrl, SchemaName.DEFAULT);
    }

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
   * @param idleAfter how long nothing must run, wait or be held before hooks' onIdle is called
   */
  public record Pool(int maxWorkers, Duration shutdownGracePeriod, Duration idleAfter) {
    /** Limits with the default idle time (60 s) for the onIdle hook. */
    public Pool(int maxWorkers, Duration shutdownGracePeriod) {
      this(maxWorkers, shutdownGracePeriod, Duration.ofSeconds(60));
    }
  }

  /** Where tasks are discovered: whole packages and single classes. */
  public record TaskSources(List<String> packages, List<String> classes) {
    public TaskSources {
      packages = List.copyOf(packages);
      classes = List.copyOf(classes);
    }
  }

  /** A task submission written in config: the task name and its arguments. */
  public record Submission(String key, String task, List<Object> args, Map<String, Object> kwargs, Duration timeout,
      dev.dispatcher.OnDuplicate onDuplicate) {
    /** A submission without options (the task's defaults apply). */
    public Submission(String key, String task, List<Object> args, Map<String, Object> kwargs) {
      this(key, task, args, kwargs, null, null);
    }
  }

  /**
   * The check of the LISTEN connection: after {@code selfCheckAfter} without a notification the
   * daemon notifies a private channel and expects it back within {@code selfCheckTimeout}.
   */
  public record Listener(Duration selfCheckAfter, Duration selfCheckTimeout) {
    public static final Listener DEFAULT = new Listener(Duration.ofSeconds(30), Duration.ofSeconds(5));
  }

  /**
   * Reassembly of chunked messages.
   *
   * @param timeout a partial message not complete within this is dropped and counted
   * @param maxBufferedBytes the memory partial messages may hold in all; past it the oldest is dropped
   */
  public record Chunks(Duration timeout, long maxBufferedBytes) {
    public static final Chunks DEFAULT = new Chunks(Duration.ofSeconds(30), 64L * 1024 * 1024);
  }

  /**
   * A schedule: a fixed {@code interval} or a {@code cron} expression (exactly one of them).
   *
   * @param name the schedule's name (its key in the config)
   * @param interval for an interval schedule: the first tick is one interval after start unless
   *     {@code runAtStart}; {@code null} for a cron schedule
   * @param cron for a cron schedule, else {@code null}
   * @param timezone the zone the cron expression is read in (UTC by default)
   * @param runAtStart also fire once when the daemon starts (cluster-wide interval schedules: the
   *     current tick, unless a node has fired it already)
   * @param clusterWide when several daemons share the database, each tick fires on one of them only
   */
  /**
   * A schedule.
   *
   * @param durable each tick enqueues one durable row on {@code channel}, once across the cluster
   *     (its uuid is derived from the schedule and the tick); a durable schedule is cluster-wide
   * @param channel where a durable schedule's rows go; null for the default publish channel
   */
  public record Schedule(String name, Submission submission, Duration interval, CronExpression cron, ZoneId timezone,
      boolean runAtStart, boolean clusterWide, boolean durable, String channel) {

    /** The zone cron schedules use unless told otherwise. */
    public static final ZoneId DEFAULT_TIMEZONE = ZoneId.of("UTC");

    public Schedule {
      if ((interval == null) == (cron == null)) {
        throw new IllegalArgumentException("schedule " + name + ": give exactly one of interval and cron");
      }
      if (timezone == null) {
        timezone = DEFAULT_TIMEZONE;
      }
      if (durable && !clusterWide) {
        throw new IllegalArgumentException("schedule " + name + ": a durable schedule is cluster-wide");
      }
    }

    /** A schedule that is not durable. */
    public Schedule(String name, Submission submission, Duration interval, CronExpression cron, ZoneId timezone, boolean runAtStart,
        boolean clusterWide) {
      this(name, submission, interval, cron, timezone, runAtStart, clusterWide, false, null);
    }

    /** A fixed-interval schedule on this node only. */
    public Schedule(String name, Submission submission, Duration interval, boolean runAtStart) {
      this(name, submission, interval, null, DEFAULT_TIMEZONE, runAtStart, false);
    }
  }

  /**
   * Bounds on what the daemon holds in memory, whatever the wire sends. Work beyond a bound is
   * refused, logged and counted ({@code dropped} by reason); the daemon keeps what it accepted.
   *
   * @param maxBacklog messages received and not yet dispatched
   * @param maxBacklogBytes their estimated memory
   * @param maxWaiting tasks queued or held (on_duplicate) in the pool
   * @param maxDelayed tasks waiting for their delay
   * @param maxWaitingBytes the estimated memory of queued and held tasks
   * @param maxDelayedBytes the estimated memory of delayed tasks (apart, so that they never take
   *     the room of work that is due now)
   * @param maxDelay the longest delay a message may ask for (longer: refused when decoded)
   * @param maxTimeout the longest timeout a message may ask for (longer: refused when decoded)
   */
  public record Limits(int maxBacklog, long maxBacklogBytes, int maxWaiting, int maxDelayed, long maxWaitingBytes,
      long maxDelayedBytes, Duration maxDelay, Duration maxTimeout) {

    public static final int DEFAULT_MAX_BACKLOG = 100_000;
    public static final int DEFAULT_MAX_WAITING = 100_000;
    public static final int DEFAULT_MAX_DELAYED = 100_000;
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofDays(1);
    public static final Duration DEFAULT_MAX_TIMEOUT = Duration.ofDays(7);

    /** The defaults for a heap of this size: the backlog may take an eighth of it, queued and held work a quarter, delayed work an eighth. */
    public static Limits forHeap(long maxHeapBytes) {
      return new Limits(DEFAULT_MAX_BACKLOG, defaultBacklogBytes(maxHeapBytes), DEFAULT_MAX_WAITING, DEFAULT_MAX_DELAYED,
          defaultWaitingBytes(maxHeapBytes), defaultDelayedBytes(maxHeapBytes), DEFAULT_MAX_DELAY, DEFAULT_MAX_TIMEOUT);
    }

    public static long defaultDelayedBytes(long maxHeapBytes) {
      return Math.max(1L << 20, maxHeapBytes / 8);
    }

    public static long defaultBacklogBytes(long maxHeapBytes) {
      return Math.max(1L << 20, maxHeapBytes / 8);
    }

    public static long defaultWaitingBytes(long maxHeapBytes) {
      return Math.max(1L << 20, maxHeapBytes / 4);
    }
  }

  /**
   * The HTTP API under {@code /api/v1}: off unless enabled, on 127.0.0.1 unless configured.
   *
   * @param tokens the bearer tokens it accepts, each with its scopes
   * @param maxBodyBytes the largest request body; a bigger one is refused with 413
   * @param requestsPerSecond each token's sustained rate; past it (and its burst) requests get 429
   * @param burst requests a token may make at once above its rate
   */
  public record Api(boolean enabled, String host, int port, List<ApiToken> tokens, int maxBodyBytes, double requestsPerSecond, int burst) {
    public static final Api OFF = new Api(false, "127.0.0.1", 8080, List.of(), 256 * 1024, 100, 200);

    public Api {
      tokens = List.copyOf(tokens);
    }

    @Override
    public String toString() {
      return "Api[enabled=" + enabled + ", host=" + host + ", port=" + port + ", tokens=" + tokens.size() + "]"; // never the tokens
    }
  }

  /**
   * A bearer token of the API: its name (for logs; the secret itself is never logged) and what it may do.
   *
   * @param scopes of {@code submit}, {@code read}, {@code admin}
   */
  public record ApiToken(String name, String secret, java.util.Set<String> scopes) {
    public ApiToken {
      scopes = java.util.Set.copyOf(scopes);
    }

    @Override
    public String toString() {
      return "ApiToken[name=" + name + ", scopes=" + scopes + "]";
    }
  }

  /**
   * Status events: a small JSON event on each transition of a task (started, succeeded, failed,
   * retrying, dead, cancelled), published with NOTIFY for any LISTEN client.
   *
   * @param channel every event goes here
   * @param taskChannels per task name, a channel its events also go to
   * @param maxQueued events waiting to be sent at most; past it they are dropped and counted
   */
  public record Events(boolean enabled, String channel, Map<String, String> taskChannels, int maxQueued) {
    public static final Events OFF = new Events(false, "dispatcher_events", Map.of(), 10_000);

    public Events {
      taskChannels = Map.copyOf(taskChannels);
    }
  }

  /**
   * The webhook relay: the built-in durable task {@code dispatcher.webhook} that makes HTTP requests.
   *
   * @param allow host names and CIDR ranges it may call; empty: public addresses only
   * @param secrets per host (lower case), the Standard Webhooks signing secret
   * @param defaultTimeout a request's timeout when it gives none
   * @param maxTimeout the longest timeout a request may ask for
   * @param maxResponseBytes how much of a response is read
   */
  public record Webhooks(boolean enabled, List<String> allow, Map<String, String> secrets, Duration defaultTimeout, Duration maxTimeout,
      int maxResponseBytes, boolean followRedirects) {
    public static final Webhooks OFF = new Webhooks(false, List.of(), Map.of(), Duration.ofSeconds(10), Duration.ofSeconds(600),
        64 * 1024, false);

    public Webhooks {
      allow = List.copyOf(allow);
      secrets = Map.copyOf(secrets);
    }

    @Override
    public String toString() {
      return "Webhooks[enabled=" + enabled + ", allow=" + allow + ", secrets for " + new java.util.TreeSet<>(secrets.keySet()) + "]";
    }
  }
}
