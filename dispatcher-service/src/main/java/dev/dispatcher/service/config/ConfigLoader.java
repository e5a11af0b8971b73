package dev.dispatcher.service.config;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.cron.CronExpression;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.wire.ChannelNames;
import java.io.IOException;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code dispatcher.yml}. {@code DISPATCHER_DATABASE_URL} replaces {@code database.url} and
 * {@code DISPATCHER_DATABASE_PASSWORD} supplies the password, so secrets can stay out of the file.
 * {@code DISPATCHER_CONTROL_SECRET} is the control secret, which is never read from the file.
 */
public final class ConfigLoader {

  public static final String ENV_DATABASE_URL = "DISPATCHER_DATABASE_URL";
  public static final String ENV_DATABASE_PASSWORD = "DISPATCHER_DATABASE_PASSWORD";
  public static final String ENV_CONFIG = "DISPATCHER_CONFIG";
  /** The secret acting control commands must be signed with; only ever read from the environment. */
  public static final String ENV_CONTROL_SECRET = "DISPATCHER_CONTROL_SECRET";

  /** The config file to read: the one given (--config), else {@code $DISPATCHER_CONFIG}, else ./dispatcher.yml. */
  public static Path configFile(Path given, Map<String, String> environment) {
    if (given != null) {
      return given;
    }
    String fromEnv = environment.get(ENV_CONFIG);
    return Path.of(fromEnv == null || fromEnv.isBlank() ? "dispatcher.yml" : fromEnv);
  }

  private final Map<String, String> environment;

  public ConfigLoader(Map<String, String> environment) {
    this.environment = environment;
  }

  /**
   * Loads and validates a file.
   *
   * @throws ConfigException naming the key (or the file) that is wrong
   */
  public DispatcherConfig load(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(reader, file.toString());
    } catch (NoSuchFileException e) {
      throw new ConfigException("--config", "file not found: " + file.toAbsolutePath());
    } catch (IOException e) {
      throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Parses YAML text; {@code source} names it in errors. */
  public DispatcherConfig parse(Reader yaml, String source) {
    Object document;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setMaxAliasesForCollections(20);
      document = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (MarkedYAMLException e) {
      throw new ConfigException("(" + source + ")", "not valid YAML at line " + (e.getProblemMark().getLine() + 1)
          + ", column " + (e.getProblemMark().getColumn() + 1) + ": " + e.getProblem());
    } catch (YAMLException e) {
      throw new ConfigException("(" + source + ")", "not valid YAML: " + e.getMessage());
    }
    return build(ConfigNode.root(document));
  }

  private static final java.util.Set<String> TOP_LEVEL_KEYS = java.util.Set.of("database", "channels",
      "default_publish_channel", "node_id", "pool", "tasks", "hooks", "schedules", "on_start", "chunks", "listener", "metrics", "limits", "control",
      "durable", "api", "webhooks", "events");

  private DispatcherConfig build(ConfigNode root) {
    root.rejectKeysOtherThan(TOP_LEVEL_KEYS);
    DispatcherConfig.Database database = database(root.child("database"));

    List<String> channels = root.stringList("channels");
    if (channels.isEmpty()) {
      throw new ConfigException("channels", "list at least one channel to listen on");
    }
    for (int i = 0; i < channels.size(); i++) {
      checkChannel("channels[" + i + "]", channels.get(i));
    }
    if (new LinkedHashSet<>(channels).size() != channels.size()) {
      throw new ConfigException("channels", "lists a channel twice: " + channels);
    }
    String defaultChannel = root.string("default_publish_channel", channels.get(0));
    checkChannel("default_publish_channel", defaultChannel);

    String nodeId = root.string("node_id", defaultNodeId());

    ConfigNode poolNode = root.child("pool");
    DispatcherConfig.Pool pool = new DispatcherConfig.Pool(
        poolNode.integer("max_workers", 8, 1, 10_000),
        poolNode.duration("shutdown_grace_period", Duration.ofSeconds(30)),
        poolNode.duration("idle_after", Duration.ofSeconds(60)));
    poolNode.rejectUnknownKeys();

    ConfigNode tasksNode = root.child("tasks");
    DispatcherConfig.TaskSources tasks = new DispatcherConfig.TaskSources(
        tasksNode.stringList("packages"), tasksNode.stringList("classes"));
    tasksNode.rejectUnknownKeys();

    List<String> hooks = root.stringList("hooks");

    List<DispatcherConfig.Schedule> schedules = new ArrayList<>();
    for (Map.Entry<String, ConfigNode> entry : root.children("schedules").entrySet()) {
      schedules.add(schedule(entry.getKey(), entry.getValue()));
    }

    List<DispatcherConfig.Submission> onStart = new ArrayList<>();
    for (ConfigNode node : root.nodeList("on_start")) {
      onStart.add(submission(node));
    }

    long heap = Runtime.getRuntime().maxMemory();
    ConfigNode chunksNode = root.child("chunks");
    DispatcherConfig.Chunks chunks = new DispatcherConfig.Chunks(
        chunksNode.duration("timeout", DispatcherConfig.Chunks.DEFAULT.timeout()),
        mib(chunksNode, "max_buffered_mib", DispatcherConfig.Chunks.DEFAULT.maxBufferedBytes(), 16 * 1024));
    chunksNode.rejectUnknownKeys();

    DispatcherConfig.Limits limits = limits(root.child("limits"), heap);

    ConfigNode listenerNode = root.child("listener");
    DispatcherConfig.Listener listener = new DispatcherConfig.Listener(
        listenerNode.duration("self_check_after", DispatcherConfig.Listener.DEFAULT.selfCheckAfter()),
        listenerNode.duration("self_check_timeout", DispatcherConfig.Listener.DEFAULT.selfCheckTimeout()));
    if (listener.selfCheckAfter().toMillis() < 100) {
      throw new ConfigException("listener.self_check_after", "must be at least 100ms, was " + listener.selfCheckAfter());
    }
    if (listener.selfCheckTimeout().toMillis() < 10) {
      throw new ConfigException("listener.self_check_timeout", "must be at least 10ms, was " + listener.selfCheckTimeout());
    }
    listenerNode.rejectUnknownKeys();

    ConfigNode httpNode = root.child("metrics");
    DispatcherConfig.Http http = new DispatcherConfig.Http(httpNode.string("host", "127.0.0.1"), httpNode.integer("port", 0, 0, 65535),
        httpNode.bool("task_histograms", true));
    httpNode.rejectUnknownKeys();

    DispatcherConfig.Control control = control(root.child("control"));
    DispatcherConfig.Durable durable = durable(root.child("durable"));
    DispatcherConfig.Api api = api(root.child("api"));
    DispatcherConfig.Webhooks webhooks = webhooks(root.child("webhooks"));
    DispatcherConfig.Events events = events(root.child("events"));
    if (api.enabled() && http.enabled() && api.port() == http.port()) {
      throw new ConfigException("api.port", "is metrics.port too (" + api.port() + "): the API needs a port of its own");
    }

    root.rejectUnknownKeys();
    return new DispatcherConfig(database, channels, defaultChannel, nodeId, pool, tasks, hooks, schedules, onStart, chunks, listener,
        http, limits, control, durable, api, webhooks, events);
  }

  private DispatcherConfig.Events events(ConfigNode node) {
    DispatcherConfig.Events defaults = DispatcherConfig.Events.OFF;
    boolean enabled = node.bool("enabled", false);
    String channel = channel(node.key("channel"), node.string("channel", defaults.channel()));
    Map<String, String> taskChannels = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Object> task : node.map("tasks").entrySet()) {
      String key = node.key("tasks") + "." + task.getKey();
      if (!(task.getValue() instanceof String taskChannel)) {
        throw new ConfigException(key, "expected a channel name, found " + ConfigNode.describe(task.getValue()));
      }
      taskChannels.put(task.getKey(), channel(key, taskChannel));
    }
    int maxQueued = node.integer("max_queued", defaults.maxQueued(), 1, 1_000_000);
    node.rejectUnknownKeys();
    return new DispatcherConfig.Events(enabled, channel, taskChannels, maxQueued);
  }

  private static String channel(String key, String channel) {
    try {
      return dev.dispatcher.wire.ChannelNames.check(channel);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  private DispatcherConfig.Webhooks webhooks(ConfigNode node) {
    DispatcherConfig.Webhooks defaults = DispatcherConfig.Webhooks.OFF;
    boolean enabled = node.bool("enabled", false);
    List<String> allow = node.stringList("allow");
    for (int i = 0; i < allow.size(); i++) {
      String entry = allow.get(i);
      if (entry.contains("/") && !entry.matches("[0-9a-fA-F:.]+/\\d{1,3}")) {
        throw new ConfigException(node.key("allow") + "[" + i + "]", "'" + entry + "' is neither a host name nor a CIDR range such as 10.0.0.0/8");
      }
    }
    Map<String, String> secrets = new java.util.HashMap<>();
    List<ConfigNode> secretNodes = node.nodeList("secrets");
    for (ConfigNode secret : secretNodes) {
      String host = secret.requiredString("host").toLowerCase(java.util.Locale.ROOT);
      if (secret.has("secret")) {
        throw new ConfigException(secret.key("secret"), "a signing secret does not belong in the config file: name its environment"
            + " variable with secret_env");
      }
      String variable = secret.requiredString("secret_env");
      String value = environment.get(variable);
      if (value == null || value.isBlank()) {
        throw new ConfigException(secret.key("secret_env"), "the environment variable " + variable + " is not set");
      }
      if (value.startsWith("whsec_")) {
        try {
          java.util.Base64.getDecoder().decode(value.substring(6));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(secret.key("secret_env"), "the secret in " + variable + " starts with whsec_ but the rest is not base64");
        }
      }
      if (secrets.put(host, value) != null) {
        throw new ConfigException(secret.key("host"), "names a host twice: " + host);
      }
      secret.rejectUnknownKeys();
    }
    Duration timeout = atLeast(node, "timeout", defaults.defaultTimeout(), Duration.ofMillis(100));
    Duration maxTimeout = atLeast(node, "max_timeout", defaults.maxTimeout(), Duration.ofSeconds(1));
    if (maxTimeout.compareTo(Duration.ofSeconds(600)) > 0) {
      throw new ConfigException(node.key("max_timeout"), "must be at most 600s (the built-in task's own timeout is past it), was "
          + maxTimeout.toSeconds() + "s");
    }
    if (timeout.compareTo(maxTimeout) > 0) {
      throw new ConfigException(node.key("timeout"), "must be at most webhooks.max_timeout (" + maxTimeout.toSeconds() + "s)");
    }
    int maxResponseKib = node.integer("max_response_kib", defaults.maxResponseBytes() / 1024, 0, 16 * 1024);
    boolean followRedirects = node.bool("follow_redirects", false);
    node.rejectUnknownKeys();
    return new DispatcherConfig.Webhooks(enabled, allow, secrets, timeout, maxTimeout, maxResponseKib * 1024, followRedirects);
  }

  /** The smallest API token: guessing one must be hopeless. */
  static final int MIN_API_TOKEN_LENGTH = 32;
  private static final java.util.Set<String> API_SCOPES = java.util.Set.of("submit", "read", "admin");

  private DispatcherConfig.Api api(ConfigNode node) {
    DispatcherConfig.Api defaults = DispatcherConfig.Api.OFF;
    boolean enabled = node.bool("enabled", false);
    String host = node.string("host", defaults.host());
    int port = node.integer("port", defaults.port(), 0, 65535);
    List<DispatcherConfig.ApiToken> tokens = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    List<ConfigNode> tokenNodes = node.nodeList("tokens");
    for (int i = 0; i < tokenNodes.size(); i++) {
      ConfigNode token = tokenNodes.get(i);
      String name = token.requiredString("name");
      if (!names.add(name)) {
        throw new ConfigException(token.key("name"), "names a token twice: " + name);
      }
      if (token.has("token")) {
        throw new ConfigException(token.key("token"), "an API token does not belong in the config file: put it in an environment"
            + " variable and name that variable with token_env");
      }
      String variable = token.requiredString("token_env");
      String secret = environment.get(variable);
      if (secret == null || secret.isBlank()) {
        throw new ConfigException(token.key("token_env"), "the environment variable " + variable + " is not set");
      }
      if (secret.length() < MIN_API_TOKEN_LENGTH) {
        throw new ConfigException(token.key("token_env"), "the token in " + variable + " must have at least " + MIN_API_TOKEN_LENGTH
            + " characters (e.g. openssl rand -hex 32)");
      }
      List<String> scopes = token.stringList("scopes");
      if (scopes.isEmpty()) {
        throw new ConfigException(token.key("scopes"), "list at least one of " + new java.util.TreeSet<>(API_SCOPES));
      }
      for (String scope : scopes) {
        if (!API_SCOPES.contains(scope)) {
          throw new ConfigException(token.key("scopes"), "unknown scope '" + scope + "' (one of " + new java.util.TreeSet<>(API_SCOPES) + ")");
        }
      }
      token.rejectUnknownKeys();
      tokens.add(new DispatcherConfig.ApiToken(name, secret, new java.util.HashSet<>(scopes)));
    }
    if (enabled && tokens.isEmpty()) {
      throw new ConfigException(node.key("tokens"), "the API needs at least one token (name, token_env, scopes)");
    }
    int maxBodyKib = node.integer("max_body_kib", defaults.maxBodyBytes() / 1024, 1, 64 * 1024);
    int rate = node.integer("requests_per_second", (int) defaults.requestsPerSecond(), 1, 1_000_000);
    int burst = node.integer("burst", defaults.burst(), 1, 1_000_000);
    node.rejectUnknownKeys();
    return new DispatcherConfig.Api(enabled, host, port, tokens, maxBodyKib * 1024, rate, burst);
  }

  private static DispatcherConfig.Durable durable(ConfigNode node) {
    DispatcherConfig.Durable defaults = DispatcherConfig.Durable.DEFAULT;
    DispatcherConfig.Durable durable = new DispatcherConfig.Durable(
        node.bool("enabled", defaults.enabled()),
        atLeast(node, "poll_interval", defaults.pollInterval(), Duration.ofMillis(10)),
        atLeast(node, "lease", defaults.lease(), Duration.ofSeconds(1)),
        atLeast(node, "heartbeat_interval", defaults.heartbeatInterval(), Duration.ofMillis(100)),
        atLeast(node, "rescue_interval", defaults.rescueInterval(), Duration.ofMillis(100)),
        node.integer("claim_batch", defaults.claimBatch(), 1, 10_000),
        atLeast(node, "completed_retention", defaults.completedRetention(), Duration.ZERO),
        atLeast(node, "failed_retention", defaults.failedRetention(), Duration.ZERO),
        atLeast(node, "cleanup_interval", defaults.cleanupInterval(), Duration.ofMillis(100)),
        node.integer("vacuum_dead_rows", (int) defaults.vacuumDeadRows(), 100, Integer.MAX_VALUE),
        node.integer("prefetch", defaults.prefetch(), 0, 100_000),
        node.integer("max_result_kib", defaults.maxResultKib(), 0, 16 * 1024),
        node.integer("max_pending_completions", defaults.maxPendingCompletions(), 1, 100_000));
    if (durable.heartbeatInterval().compareTo(durable.lease().dividedBy(2)) > 0) {
      throw new ConfigException("durable.heartbeat_interval", "must be at most half of durable.lease (" + durable.lease().toMillis()
          + "ms), was " + durable.heartbeatInterval().toMillis() + "ms: a lease must survive a missed heartbeat");
    }
    node.rejectUnknownKeys();
    return durable;
  }

  private static Duration atLeast(ConfigNode node, String key, Duration fallback, Duration min) {
    Duration value = node.duration(key, fallback);
    if (value.compareTo(min) < 0) {
      throw new ConfigException(node.key(key), "must be at least " + min.toMillis() + "ms, was " + value.toMillis() + "ms");
    }
    return value;
  }

  private static final long MIB = 1024L * 1024L;

  /** Byte bounds default to a share of this JVM's heap (see {@link DispatcherConfig.Limits#forHeap}). */
  private static DispatcherConfig.Limits limits(ConfigNode node, long heap) {
    DispatcherConfig.Limits limits = new DispatcherConfig.Limits(
        node.integer("max_backlog", DispatcherConfig.Limits.DEFAULT_MAX_BACKLOG, 1, 10_000_000),
        mib(node, "max_backlog_mib", DispatcherConfig.Limits.defaultBacklogBytes(heap)),
        node.integer("max_waiting", DispatcherConfig.Limits.DEFAULT_MAX_WAITING, 1, 10_000_000),
        node.integer("max_delayed", DispatcherConfig.Limits.DEFAULT_MAX_DELAYED, 0, 10_000_000),
        mib(node, "max_waiting_mib", DispatcherConfig.Limits.defaultWaitingBytes(heap)),
        mib(node, "max_delayed_mib", DispatcherConfig.Limits.defaultDelayedBytes(heap)),
        node.duration("max_delay", DispatcherConfig.Limits.DEFAULT_MAX_DELAY),
        node.duration("max_timeout", DispatcherConfig.Limits.DEFAULT_MAX_TIMEOUT));
    if (limits.maxTimeout().toMillis() < 1) {
      throw new ConfigException(node.key("max_timeout"), "must be at least 1ms, was " + limits.maxTimeout());
    }
    node.rejectUnknownKeys();
    return limits;
  }

  private static long mib(ConfigNode node, String name, long fallbackBytes) {
    return mib(node, name, fallbackBytes, 1024 * 1024);
  }

  private static long mib(ConfigNode node, String name, long fallbackBytes, int max) {
    int mib = node.integer(name, -1, 1, max);
    return mib < 0 ? fallbackBytes : mib * MIB;
  }

  private DispatcherConfig.Control control(ConfigNode node) {
    DispatcherConfig.Control defaults = DispatcherConfig.Control.DEFAULT;
    if (node.has("secret")) {
      throw new ConfigException(node.key("secret"), "the control secret does not belong in the config file: set "
          + ENV_CONTROL_SECRET + " in the daemon's environment instead");
    }
    List<String> actingNames = dev.dispatcher.service.control.Command.actingNames();
    List<String> allow = node.stringList("allow");
    for (int i = 0; i < allow.size(); i++) {
      String name = allow.get(i);
      if (!actingNames.contains(name)) {
        boolean readOnly = dev.dispatcher.service.control.Command.of(name).isPresent();
        throw new ConfigException(node.key("allow") + "[" + i + "]", readOnly
            ? "'" + name + "' is read-only and always answered: list only acting commands (" + String.join(", ", actingNames) + ")"
            : "unknown acting command '" + name + "' (acting commands: " + String.join(", ", actingNames) + ")");
      }
    }
    String replyTo = node.string("reply_to_pattern", defaults.replyToPattern());
    try {
      java.util.regex.Pattern.compile(replyTo);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new ConfigException(node.key("reply_to_pattern"), "not a valid regular expression: " + e.getDescription());
    }
    Duration window = node.duration("signature_window", defaults.signatureWindow());
    if (window.toSeconds() < 1 || window.toSeconds() > 3600) {
      throw new ConfigException(node.key("signature_window"), "must be between 1s and 1h, was " + window);
    }
    DispatcherConfig.Control control = new DispatcherConfig.Control(
        new ArrayList<>(new LinkedHashSet<>(allow)),
        replyTo,
        node.integer("max_reply_entries", defaults.maxReplyEntries(), 1, 100_000),
        node.integer("max_reply_kib", defaults.maxReplyBytes() / 1024, 64, 64 * 1024) * 1024,
        node.integer("max_handlers", defaults.maxHandlers(), 1, 64),
        node.integer("max_busy_replies", defaults.maxBusyReplies(), 0, 1024),
        window,
        node.integer("max_nonces", defaults.maxNonces(), 100, 1_000_000),
        controlSecret());
    node.rejectUnknownKeys();
    return control;
  }

  /** The control secret from the environment, checked (the message never shows it); null when unset. */
  private String controlSecret() {
    String secret = environment.get(ENV_CONTROL_SECRET);
    if (secret == null) {
      return null;
    }
    if (secret.isBlank()) {
      throw new ConfigException(ENV_CONTROL_SECRET, "is set but empty; unset it, or set a secret of at least "
          + dev.dispatcher.control.ControlSignature.MIN_SECRET_LENGTH + " characters");
    }
    try {
      new dev.dispatcher.control.ControlSignature(secret);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ENV_CONTROL_SECRET, e.getMessage());
    }
    return secret;
  }

  private static final java.util.Set<String> SCHEDULE_KEYS = java.util.Set.of("task", "args", "kwargs", "timeout", "on_duplicate",
      "interval", "cron", "timezone", "run_at_start", "cluster_wide",
      "durable", "channel");

  private DispatcherConfig.Schedule schedule(String name, ConfigNode node) {
    node.rejectKeysOtherThan(SCHEDULE_KEYS); // a misspelt "cron" is reported as unknown, not as a missing interval
    Duration interval = node.duration("interval", null);
    String cronText = node.string("cron", null);
    String zoneText = node.string("timezone", null);
    boolean runAtStart = node.bool("run_at_start", false);
    boolean durable = node.bool("durable", false);
    boolean clusterWide = node.bool("cluster_wide", durable);
    String channel = node.string("channel", null);
    DispatcherConfig.Submission submission = submission(node);
    if (durable && !clusterWide) {
      throw new ConfigException(node.key("cluster_wide"), "a durable schedule is cluster-wide (one row per tick across the cluster)");
    }
    if (channel != null && !durable) {
      throw new ConfigException(node.key("channel"), "only applies to durable schedules (the others run on the node whose tick it is)");
    }
    if (channel != null) {
      try {
        ChannelNames.check(channel);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(node.key("channel"), e.getMessage());
      }
    }

    if (interval != null && cronText != null) {
      throw new ConfigException(node.key("cron"), "give either interval or cron, not both");
    }
    if (interval == null && cronText == null) {
      throw new ConfigException(node.key("interval"), "is required unless cron is given (e.g. interval: 10s, or cron: \"*/5 * * * *\")");
    }
    if (interval != null && interval.toMillis() < 1) {
      throw new ConfigException(node.key("interval"), "must be at least 1ms, was " + interval);
    }
    CronExpression cron = null;
    if (cronText != null) {
      try {
        cron = CronExpression.parse(cronText);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(node.key("cron"), "invalid cron expression '" + cronText + "': " + e.getMessage());
      }
    }
    ZoneId zone = DispatcherConfig.Schedule.DEFAULT_TIMEZONE;
    if (zoneText != null) {
      if (cron == null) {
        throw new ConfigException(node.key("timezone"), "only applies to cron schedules (an interval is the same in every zone)");
      }
      try {
        zone = ZoneId.of(zoneText);
      } catch (DateTimeException e) {
        throw new ConfigException(node.key("timezone"), "unknown time zone '" + zoneText + "' (e.g. Europe/Paris, America/New_York, UTC)");
      }
    }
    if (cron != null && clusterWide && runAtStart) {
      throw new ConfigException(node.key("run_at_start"), "not supported for a cluster-wide cron schedule"
          + " (a start time is not a tick the other nodes share); use on_start for a run at start");
    }
    return new DispatcherConfig.Schedule(name, submission, interval, cron, zone, runAtStart, clusterWide, durable, channel);
  }

  private DispatcherConfig.Submission submission(ConfigNode node) {
    String task = node.requiredString("task");
    List<Object> args = node.list("args");
    Map<String, Object> kwargs = node.map("kwargs");
    Duration timeout = node.duration("timeout", null);
    String policy = node.string("on_duplicate", null);
    dev.dispatcher.OnDuplicate onDuplicate = null;
    if (policy != null) {
      try {
        onDuplicate = dev.dispatcher.OnDuplicate.fromWire(policy);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(node.key("on_duplicate"), e.getMessage());
      }
    }
    node.rejectUnknownKeys();
    return new DispatcherConfig.Submission(node.key("task"), task, args, kwargs, timeout, onDuplicate);
  }

  private DispatcherConfig.Database database(ConfigNode node) {
    String urlText = environment.getOrDefault(ENV_DATABASE_URL, null);
    String urlKey = ENV_DATABASE_URL;
    String fileUrl = node.string("url", null);
    if (urlText == null || urlText.isBlank()) {
      urlText = fileUrl;
      urlKey = node.key("url");
    }
    if (urlText == null) {
      throw new ConfigException(node.key("url"), "is required (or set " + ENV_DATABASE_URL + ")");
    }
    String password = environment.get(ENV_DATABASE_PASSWORD);
    if (password == null) {
      password = node.string("password", null);
    } else {
      node.string("password", null);
    }
    DatabaseUrl url = parseUrl(urlKey, urlText, password);
    String listenText = node.string("listen_url", null);
    DatabaseUrl listenUrl = listenText == null ? null : parseUrl(node.key("listen_url"), listenText, password);
    String schema = node.string("schema", SchemaName.DEFAULT);
    try {
      SchemaName.of(schema);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.key("schema"), e.getMessage());
    }
    node.rejectUnknownKeys();
    return new DispatcherConfig.Database(url, listenUrl, schema);
  }

  private static DatabaseUrl parseUrl(String key, String text, String password) {
    try {
      DatabaseUrl url = DatabaseUrl.parse(text);
      if (password != null && url.password() == null) {
        url = new DatabaseUrl(url.host(), url.port(), url.database(), url.user(), password, url.options());
      }
      return url;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage().replaceFirst("^database URL: ", "")); // the key says it already
    }
  }

  private static void checkChannel(String key, String channel) {
    try {
      ChannelNames.check(channel);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  private static String defaultNodeId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
  }
}
