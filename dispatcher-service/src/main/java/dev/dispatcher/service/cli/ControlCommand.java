package dev.dispatcher.service.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.control.ControlClient;
import dev.dispatcher.control.ControlException;
import dev.dispatcher.control.ControlReply;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.config.ConfigException;
import dev.dispatcher.service.config.ConfigLoader;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.status.ClientNames;
import dev.dispatcher.status.RequestCursor;
import dev.dispatcher.status.RequestQuery;
import dev.dispatcher.status.TaskState;
import dev.dispatcher.wire.ChannelNames;
import dev.dispatcher.wire.WireFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dispatcher-standalone ctl COMMAND}: sends a control command to the daemons listening on a
 * channel and prints their replies (YAML, or JSON with {@code --json}; {@code status} compact
 * unless {@code --verbose}). Exit status: 0 when at least {@code --expected-replies} replies
 * arrived, 1 when fewer did (or the database failed), 2 for a configuration or usage error (the
 * message names the key or option), 3 when a daemon replied with an error.
 *
 * <p>{@code retry} and {@code discard} are no control messages: they act on the durable task table
 * itself (database.url and database.schema of the config), whether a daemon runs or not. Exit
 * status: 0 when the failed or cancelled row was retried or discarded, 1 when there is no such row
 * (or the database failed), 2 for a configuration or usage error.
 *
 * <p>{@code status --uuid}, {@code result} and {@code requests} read the task table the same way
 * ({@link TaskRecordsCommand}). Exit status: 0 found (result: completed, its result printed), 1 no
 * such row or a database error, 2 a configuration or usage error; result only: 4 not finished yet,
 * 5 failed or cancelled, 6 completed but its result was not kept.
 */
@Command(
    name = "ctl",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {"Sends a control command to running daemons and prints their replies.",
        "Every daemon listening on the channel replies once, with its node_id.",
        "",
        "Commands (control_data options in brackets):",
        "  alive          just the node_id of every daemon",
        "  aio_tasks      the Python dispatcher's asyncio tasks: always empty here",
        "  running        running, queued, held and delayed tasks; running ones with",
        "                 started_at and elapsed_seconds [--task, --args, --kwargs, --uuid]",
        "  cancel         cancel matching tasks [--task, --args, --kwargs, --uuid]",
        "  workers        worker slots: status, current task, finished count",
        "  producers      counters of the channel listener, schedules, control run",
        "  main           counters of the dispatch loop and the pool, health",
        "  chunks         counters of chunk reassembly",
        "  metrics        the daemon's metrics",
        "  status         all the read-only commands above in one reply (compact",
        "                 unless --verbose: busy worker slots only, waiting tasks counted)",
        "  set_log_level  change the log level [--level: TRACE, DEBUG, INFO, WARN, ERROR,",
        "                 Python's WARNING, CRITICAL, or a Python level number 1-50]",
        "  run            start a registered task [--task, --args, --kwargs, --uuid]",
        "  suspend        suspend a task type on every daemon of the database: its durable",
        "                 rows wait, its fire-and-forget messages are dropped [--task]",
        "  resume         resume a suspended task type [--task]",
        "",
        "Durable tasks, on the task table itself (no daemon needs to run):",
        "  retry          a failed (dead letter) or cancelled durable task becomes available",
        "                 again, with one more attempt allowed [--uuid, required]",
        "  discard        deletes a failed or cancelled durable task [--uuid, required]",
        "  status --uuid  a task's status: state, attempts, times, node, result, errors,",
        "                 progress (YAML, or JSON with --json)",
        "  result         a finished task's result, as JSON [--uuid, required]",
        "  requests       a client's requests, newest first, a page at a time [--client,",
        "                 required; --limit (1-1000, default 50), --cursor, --state, --task]",
        "",
        "running and cancel match every filter given (task, args, kwargs and uuid).",
        "",
        "cancel, set_log_level, run, suspend and resume act on the daemon: a daemon carries them out only",
        "when its control.allow lists them, and signed when it has DISPATCHER_CONTROL_SECRET",
        "(ctl signs every command when that variable is set in its own environment).",
        ""},
    footer = {"", "Examples:",
        "  dispatcher-standalone ctl alive --expected-replies 2",
        "  dispatcher-standalone ctl running --task app.tasks.send_email --json",
        "  dispatcher-standalone ctl cancel --uuid 5d4c...",
        "  dispatcher-standalone ctl set_log_level --level DEBUG",
        "  dispatcher-standalone ctl run --task app.tasks.add --args '[1, 2]'",
        "  dispatcher-standalone ctl suspend --task app.tasks.send_email",
        "  dispatcher-standalone ctl retry --uuid 5d4c...",
        "  dispatcher-standalone ctl result --uuid 5d4c...",
        "  dispatcher-standalone ctl requests --client shop --limit 20",
        "",
        "Environment: DISPATCHER_CONFIG (default config file), DISPATCHER_DATABASE_URL,",
        "DISPATCHER_DATABASE_PASSWORD, DISPATCHER_CONTROL_SECRET (sign with this secret).",
        "Exit status: 0 enough replies, 1 fewer replies or a database error,",
        "2 configuration or usage error, 3 a daemon replied with an error.",
        "retry and discard: 0 done, 1 no failed or cancelled task with that uuid or a",
        "database error, 2 configuration or usage error.",
        "status --uuid, result, requests: 0 done, 1 no task with that uuid or a database",
        "error, 2 configuration or usage error; result: 4 not finished yet, 5 failed or",
        "cancelled, 6 completed but its result was not kept (larger than durable.max_result_kib)."})
public final class ControlCommand implements Callable<Integer> {

  static final int EXIT_OK = 0;
  static final int EXIT_TOO_FEW = 1;
  static final int EXIT_CONFIG = 2;
  /** A daemon answered {@code {"error": ...}}: the command was refused or failed there. */
  static final int EXIT_ERROR_REPLY = 3;
  /** The commands whose control_data takes args and kwargs. */
  private static final List<String> ARGUMENT_COMMANDS = List.of("run", "running", "cancel");

  /** The commands the daemons answer, in the order {@code --help} lists them. */
  static final List<String> COMMANDS = dev.dispatcher.service.control.Command.names();

  /** The commands ctl carries out on the durable task table itself, not through the daemons. */
  static final List<String> TABLE_COMMANDS = DeadLetterCommand.COMMANDS;

  /** Sends one control message and returns the replies; the real one goes through {@link ControlClient}. */
  @FunctionalInterface
  interface Sender {
    List<ControlReply> send(DatabaseUrl database, String channel, String command, Map<String, Object> controlData,
        int expectedReplies, Duration timeout, String secret);
  }

  @Parameters(index = "0", paramLabel = "COMMAND",
      description = "The control command, one of those listed above (any other name is sent as given).")
  private String command;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file for database.url and default_publish_channel (default: $DISPATCHER_CONFIG, else ./dispatcher.yml).")
  private Path config;

  @Option(names = "--channel", paramLabel = "CHANNEL",
      description = "Channel the daemons listen on (default: default_publish_channel of the config).")
  private String channel;

  @Option(names = "--task", paramLabel = "NAME", description = "control_data task: the task name to match (running, cancel) to run (run), or to suspend or resume (suspend, resume).")
  private String task;

  @Option(names = "--uuid", paramLabel = "UUID",
      description = "control_data uuid: the task uuid to match (running, cancel) or to give (run; default: a new one).")
  private String uuid;

  @Option(names = "--level", paramLabel = "LEVEL",
      description = "control_data level for set_log_level, e.g. DEBUG, WARNING or 20 (Python's levels map to ours).")
  private String level;

  @Option(names = "--args", paramLabel = "JSON",
      description = "positional arguments as a JSON array, e.g. '[1, \"two\"]': to run (run) or to match (running, cancel).")
  private String args;

  @Option(names = "--kwargs", paramLabel = "JSON",
      description = "named arguments as a JSON object, e.g. '{\"who\": \"me\"}': to run (run) or to match (running, cancel).")
  private String kwargs;

  @Option(names = "--client", paramLabel = "NAME", description = "requests: whose requests to list (SubmitOptions.client).")
  private String client;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
      description = "requests: at most this many, 1 to 1000 (default: ${DEFAULT-VALUE}).")
  private int limit;

  @Option(names = "--cursor", paramLabel = "CURSOR", description = "requests: the next page, as the previous page printed it.")
  private String cursor;

  @Option(names = "--state", paramLabel = "STATE",
      description = "requests: only those in this state (scheduled, available, running, retryable, completed, failed, cancelled).")
  private String state;

  @Option(names = {"-v", "--verbose"}, description = "status: every worker slot and every waiting task (default: a compact summary).")
  private boolean verbose;

  @Option(names = "--expected-replies", paramLabel = "N", defaultValue = "1",
      description = "Replies to wait for, one per daemon on the channel (default: ${DEFAULT-VALUE}).")
  private int expectedReplies;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
      description = "Seconds to wait for the replies in all; fractions allowed (default: ${DEFAULT-VALUE}).")
  private double timeoutSeconds;

  @Option(names = "--json", description = "Print the replies as a JSON array instead of YAML.")
  private boolean json;

  @Spec
  private CommandSpec spec;

  private final Map<String, String> environment;
  private final Sender sender;

  /** The command as {@code dispatcher-standalone ctl} runs it: real environment, real database. */
  public ControlCommand() {
    this(System.getenv(), ControlCommand::sendThroughDatabase);
  }

  ControlCommand(Map<String, String> environment, Sender sender) {
    this.environment = environment;
    this.sender = sender;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (TABLE_COMMANDS.contains(command)) {
      return onTheTable(out, err);
    }
    if (TaskRecordsCommand.handles(command, uuid)) {
      return onTheRecords(out, err);
    }
    DatabaseUrl database;
    String target;
    Map<String, Object> controlData;
    Duration timeout;
    String secret;
    try {
      controlData = controlData();
      if (expectedReplies < 1) {
        throw new ConfigException("--expected-replies", "must be at least 1, was " + expectedReplies);
      }
      if (!(timeoutSeconds > 0) || timeoutSeconds > 86_400) {
        throw new ConfigException("--timeout", "must be more than 0 and at most 86400 seconds, was " + timeoutSeconds);
      }
      timeout = Duration.ofNanos(Math.round(timeoutSeconds * 1e9));
      DispatcherConfig settings = new ConfigLoader(environment).load(ConfigLoader.configFile(config, environment));
      database = settings.database().url();
      secret = settings.control().secret();
      target = channel != null ? checkChannel(channel) : settings.defaultPublishChannel();
    } catch (ConfigException e) {
      err.println("config error: " + e.getMessage());
      err.flush();
      return EXIT_CONFIG;
    }

    List<ControlReply> replies;
    try {
      replies = sender.send(database, target, command, controlData, expectedReplies, timeout, secret);
    } catch (ControlException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return EXIT_TOO_FEW;
    }
    out.print(format("status".equals(command) && !verbose ? StatusSummary.compact(replies) : replies, json));
    out.flush();
    if (replies.size() < expectedReplies) {
      err.println("expected " + expectedReplies + " " + (expectedReplies == 1 ? "reply" : "replies") + " on channel '" + target
          + "' within " + timeoutSeconds + "s, got " + replies.size());
      err.flush();
      return EXIT_TOO_FEW;
    }
    List<String> refused = replies.stream().filter(ControlReply::isError).map(ControlReply::nodeId).toList();
    if (!refused.isEmpty()) {
      err.println(refused.size() + " of " + replies.size() + " " + (replies.size() == 1 ? "reply is" : "replies are") + " an error"
          + " (node " + String.join(", ", refused) + ")");
      err.flush();
      return EXIT_ERROR_REPLY;
    }
    return EXIT_OK;
  }

  /** retry or discard: the options checked, then the row acted on through {@link DeadLetterCommand}. */
  private int onTheTable(PrintWriter out, PrintWriter err) {
    DispatcherConfig.Database database;
    try {
      String[][] notForTheTable = {{"--task", task}, {"--args", args}, {"--kwargs", kwargs}, {"--level", level}};
      for (String[] option : notForTheTable) {
        if (option[1] != null) {
          throw new ConfigException(option[0], "does not apply to " + command + " (it takes --uuid)");
        }
      }
      if (uuid == null) {
        throw new ConfigException("--uuid", "is required for " + command + " (the uuid of the failed or cancelled durable task)");
      }
      if (!DeadLetterCommand.isUuid(uuid)) {
        throw new ConfigException("--uuid", "must be a uuid such as 5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a, was '" + uuid + "'");
      }
      if (!(timeoutSeconds > 0) || timeoutSeconds > 86_400) {
        throw new ConfigException("--timeout", "must be more than 0 and at most 86400 seconds, was " + timeoutSeconds);
      }
      database = new ConfigLoader(environment).load(ConfigLoader.configFile(config, environment)).database();
    } catch (ConfigException e) {
      err.println("config error: " + e.getMessage());
      err.flush();
      return EXIT_CONFIG;
    }
    quietLogs();
    return DeadLetterCommand.run(command, uuid, database, Duration.ofNanos(Math.round(timeoutSeconds * 1e9)), out, err);
  }

  /** status --uuid, result, requests: the options checked, then the table read through {@link TaskRecordsCommand}. */
  private int onTheRecords(PrintWriter out, PrintWriter err) {
    TaskRecordsCommand.Query query;
    DispatcherConfig.Database database;
    try {
      boolean requests = TaskRecordsCommand.REQUESTS.equals(command);
      String[][] notHere = requests
          ? new String[][] {{"--uuid", uuid}, {"--args", args}, {"--kwargs", kwargs}, {"--level", level}}
          : new String[][] {{"--task", task}, {"--args", args}, {"--kwargs", kwargs}, {"--level", level}, {"--client", client},
              {"--cursor", cursor}, {"--state", state}};
      for (String[] option : notHere) {
        if (option[1] != null) {
          throw new ConfigException(option[0], "does not apply to " + command);
        }
      }
      if (!(timeoutSeconds > 0) || timeoutSeconds > 86_400) {
        throw new ConfigException("--timeout", "must be more than 0 and at most 86400 seconds, was " + timeoutSeconds);
      }
      query = requests ? new TaskRecordsCommand.Query.Requests(requestQuery(), json) : tableUuid();
      database = new ConfigLoader(environment).load(ConfigLoader.configFile(config, environment)).database();
    } catch (ConfigException e) {
      err.println("config error: " + e.getMessage());
      err.flush();
      return EXIT_CONFIG;
    }
    quietLogs();
    return new TaskRecordsCommand().run(query, database, Duration.ofNanos(Math.round(timeoutSeconds * 1e9)), out, err);
  }

  private TaskRecordsCommand.Query tableUuid() {
    if (uuid == null) {
      throw new ConfigException("--uuid", "is required for " + command + " (the uuid of the task)");
    }
    if (!DeadLetterCommand.isUuid(uuid)) {
      throw new ConfigException("--uuid", "must be a uuid such as 5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a, was '" + uuid + "'");
    }
    return TaskRecordsCommand.RESULT.equals(command) ? new TaskRecordsCommand.Query.Result(uuid)
        : new TaskRecordsCommand.Query.Status(uuid, json);
  }

  private RequestQuery requestQuery() {
    if (client == null) {
      throw new ConfigException("--client", "is required for requests (whose requests to list)");
    }
    TaskState only = null;
    if (state != null) {
      try {
        only = TaskState.of(state);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--state", e.getMessage());
      }
    }
    try {
      ClientNames.check(client);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--client", e.getMessage());
    }
    if (limit < 1 || limit > RequestQuery.MAX_LIMIT) {
      throw new ConfigException("--limit", "must be from 1 to " + RequestQuery.MAX_LIMIT + ", was " + limit);
    }
    if (cursor != null) {
      try {
        RequestCursor.decode(cursor);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--cursor", e.getMessage());
      }
    }
    try {
      return new RequestQuery(client, only, task, limit, cursor);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--task", e.getMessage()); // the only value not checked above
    }
  }

  /** The control_data the options give, checked against the command. */
  Map<String, Object> controlData() {
    boolean run = "run".equals(command);
    String[][] requestsOnly = {{"--client", client}, {"--cursor", cursor}, {"--state", state}};
    for (String[] option : requestsOnly) {
      if (option[1] != null) {
        throw new ConfigException(option[0], "only applies to requests");
      }
    }
    if (!ARGUMENT_COMMANDS.contains(command) && args != null) {
      throw new ConfigException("--args", "only applies to run, running and cancel");
    }
    if (!ARGUMENT_COMMANDS.contains(command) && kwargs != null) {
      throw new ConfigException("--kwargs", "only applies to run, running and cancel");
    }
    if (run && task == null) {
      throw new ConfigException("--task", "is required for run (the name of the task to start)");
    }
    if (("suspend".equals(command) || "resume".equals(command)) && task == null) {
      throw new ConfigException("--task", "is required for " + command + " (the name of the task type)");
    }
    if ("set_log_level".equals(command) && level == null) {
      throw new ConfigException("--level", "is required for set_log_level (e.g. --level DEBUG)");
    }
    Map<String, Object> data = new LinkedHashMap<>();
    if (task != null) {
      data.put(WireFormat.TASK, task);
    }
    if (uuid != null) {
      data.put(WireFormat.UUID, uuid);
    } else if (run) {
      data.put(WireFormat.UUID, UUID.randomUUID().toString()); // as a publisher would: a Python daemon makes none up
    }
    if (level != null) {
      data.put("level", level);
    }
    if (args != null) {
      data.put(WireFormat.ARGS, parseJson("--args", args, new TypeReference<List<Object>>() {}, "a JSON array"));
    }
    if (kwargs != null) {
      data.put(WireFormat.KWARGS, parseJson("--kwargs", kwargs, new TypeReference<LinkedHashMap<String, Object>>() {}, "a JSON object"));
    }
    if (run) {
      Instant now = Instant.now(); // published now: the task's wait is measured from here
      data.put(WireFormat.TIME_PUB, now.getEpochSecond() + now.getNano() / 1e9);
    }
    return data;
  }

  /** The replies as text: a YAML list in block style, or a pretty-printed JSON array. */
  static String format(List<ControlReply> replies, boolean asJson) {
    List<Map<String, Object>> bodies = new ArrayList<>();
    for (ControlReply reply : replies) {
      bodies.add(reply.body());
    }
    if (asJson) {
      try {
        return WireFormat.newObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(bodies) + System.lineSeparator();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("replies parsed from JSON cannot be written as JSON", e);
      }
    }
    if (bodies.isEmpty()) {
      return "[]" + System.lineSeparator();
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndicatorIndent(0);
    options.setWidth(120);
    return new Yaml(options).dump(bodies);
  }

  private static <T> T parseJson(String option, String text, TypeReference<T> type, String what) {
    ObjectMapper mapper = WireFormat.newObjectMapper();
    try {
      return mapper.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new ConfigException(option, "must be " + what + ", got '" + text + "' (" + e.getOriginalMessage() + ")");
    }
  }

  private static String checkChannel(String name) {
    try {
      return ChannelNames.check(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--channel", e.getMessage());
    }
  }

  private static List<ControlReply> sendThroughDatabase(DatabaseUrl database, String channel, String command,
      Map<String, Object> controlData, int expectedReplies, Duration timeout, String secret) {
    quietLogs();
    try (HikariDataSource pool = ConnectionPools.create(database, "dispatcher-ctl", 1)) {
      // an unreachable database fails within --timeout rather than Hikari's default 30 s
      pool.setConnectionTimeout(Math.max(250, timeout.toMillis()));
      ControlClient client = ControlClient.of(pool);
      return (secret == null ? client : client.withSecret(secret)).send(channel, command, controlData, expectedReplies, timeout);
    }
  }

  /** The replies go to stdout, as the daemon's log lines would: keep the logs out of it. */
  private static void quietLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
    }
  }
}
