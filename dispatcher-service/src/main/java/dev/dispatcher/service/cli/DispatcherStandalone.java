package dev.dispatcher.service.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.sun.management.HotSpotDiagnosticMXBean;
import dev.dispatcher.service.Dispatcher;
import dev.dispatcher.service.config.ConfigException;
import dev.dispatcher.service.config.ConfigLoader;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.registry.TaskScanner;
import dev.dispatcher.service.storage.StorageException;
import dev.dispatcher.wire.WireFormat;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code java -jar dispatcher-standalone.jar}: loads the config, discovers tasks, runs the daemon
 * until SIGTERM or SIGINT. Exit status: 0 after a clean stop, 2 for a configuration error (the
 * message names the key), 1 for anything else (e.g. a schema the database refuses to migrate).
 */
@Command(
    name = "dispatcher-standalone",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    subcommands = {ControlCommand.class, MigrateCommand.class},
    description = "Runs @Task methods for messages published with pg_notify.",
    footer = {"", "Environment: DISPATCHER_CONFIG (default config file), DISPATCHER_DATABASE_URL,",
        "DISPATCHER_DATABASE_PASSWORD. Exit status: 0 stopped cleanly, 1 error, 2 configuration error,",
        "70 stopped after a fatal failure (see the log). Run it with -XX:+ExitOnOutOfMemoryError."})
public final class DispatcherStandalone implements Callable<Integer> {

  static final int EXIT_CONFIG = 2;
  /** The database answered but refused or failed the schema's migration. */
  static final int EXIT_DATABASE = 1;
  /** A part of the daemon that must never stop stopped (EX_SOFTWARE): a supervisor should restart it. */
  static final int EXIT_FATAL = 70;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file (default: $DISPATCHER_CONFIG, else ./dispatcher.yml).")
  private Path config;

  @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "INFO",
      description = "TRACE, DEBUG, INFO, WARN or ERROR (default: ${DEFAULT-VALUE}).")
  private String logLevel;

  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json: one JSON object per line, with uuid and task as fields on task lines.")
  private String logFormat;

  @Option(names = "--classpath", paramLabel = "PATH", split = "[:;]",
      description = {"Extra jars or folders with task classes, separated by ':' (repeatable); every @Task in them is registered.",
          "A folder brings its classes and the jars in it; 'lib/*' (quoted) the jars in lib/, as java -cp does."})
  private List<Path> classpath = new ArrayList<>();

  private final ShutdownSignals signals = new ShutdownSignals();

  public static void main(String[] args) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    int status = new CommandLine(new DispatcherStandalone()).execute(args);
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop(); // flush logs before exit
    System.exit(status);
  }

  @Override
  public Integer call() throws Exception {
    Level level = Level.toLevel(logLevel.toUpperCase(java.util.Locale.ROOT), null);
    if (level == null) {
      System.err.println("config error: --log-level: unknown level '" + logLevel + "' (TRACE, DEBUG, INFO, WARN, ERROR)");
      return EXIT_CONFIG;
    }
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).setLevel(level);
    switch (logFormat.toLowerCase(java.util.Locale.ROOT)) {
      case "text" -> { }
      case "json" -> LogFormat.useJson((LoggerContext) LoggerFactory.getILoggerFactory());
      default -> {
        System.err.println("config error: --log-format: unknown format '" + logFormat + "' (text or json)");
        return EXIT_CONFIG;
      }
    }
    Logger log = LoggerFactory.getLogger(DispatcherStandalone.class);

    Dispatcher dispatcher;
    try {
      DispatcherConfig settings = new ConfigLoader(System.getenv()).load(ConfigLoader.configFile(config, System.getenv()));
      TaskClasspath extra = TaskClasspath.of(classpath);
      ClassLoader loader = extra.loader(DispatcherStandalone.class.getClassLoader());
      TaskRegistry registry = TaskRegistry.of(
          new TaskScanner(loader).scan(settings.tasks().packages(), settings.tasks().classes(), extra.entries()),
          WireFormat.newObjectMapper());
      if (registry.size() == 0) {
        throw new ConfigException("tasks", "no @Task methods found in packages " + settings.tasks().packages()
            + ", classes " + settings.tasks().classes() + " or --classpath " + classpath);
      }
      registry.all().forEach(task -> log.info("registered task {}", task.name()));
      List<DispatcherHook> hooks = hooks(settings.hooks(), loader);
      signals.install();
      dispatcher = Dispatcher.start(settings, registry, hooks, Duration.ofSeconds(10));
    } catch (ConfigException e) {
      System.err.println("config error: " + e.getMessage());
      return EXIT_CONFIG;
    } catch (IllegalArgumentException e) {
      System.err.println("config error: tasks: " + e.getMessage());
      return EXIT_CONFIG;
    } catch (StorageException e) {
      System.err.println("database error: " + e.getMessage());
      return EXIT_DATABASE;
    }
    signals.beforeHalt(dispatcher::logWhatAHaltDrops);
    warnWithoutExitOnOutOfMemory(log);
    Thread.ofVirtual().name("fatal-failure-watch").start(() -> {
      try {
        dispatcher.failure().await(Long.MAX_VALUE, TimeUnit.DAYS);
        signals.stopBecause("a fatal failure: " + dispatcher.failure().failure().map(FatalFailure.Failure::describe).orElse("?"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    signals.awaitStop();
    dispatcher.close();
    return dispatcher.failure().failure().isPresent() ? EXIT_FATAL : 0;
  }

  /**
   * Without -XX:+ExitOnOutOfMemoryError a JVM out of memory may keep running without doing its
   * job (seen: 117% CPU, SIGTERM ignored); with it, it exits and a supervisor can restart it.
   */
  private static void warnWithoutExitOnOutOfMemory(Logger log) {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    if (vm != null && !"true".equals(vm.getVMOption("ExitOnOutOfMemoryError").getValue())) {
      log.warn("the JVM runs without -XX:+ExitOnOutOfMemoryError: on an OutOfMemoryError the daemon may stay up without working;"
          + " start it with java -XX:+ExitOnOutOfMemoryError -jar dispatcher-standalone.jar");
    }
  }

  private static List<DispatcherHook> hooks(List<String> classNames, ClassLoader loader) {
    List<DispatcherHook> hooks = new ArrayList<>();
    for (int i = 0; i < classNames.size(); i++) {
      String name = classNames.get(i);
      String key = "hooks[" + i + "]";
      try {
        // Loaded without initialising: the static code of a class that is no hook must not run.
        Class<?> type = Class.forName(name, false, loader);
        if (!DispatcherHook.class.isAssignableFrom(type)) {
          throw new ConfigException(key, "class " + name + " does not implement " + DispatcherHook.class.getName());
        }
        hooks.add((DispatcherHook) type.getDeclaredConstructor().newInstance()); // initialises it
      } catch (ExceptionInInitializerError e) {
        throw new ConfigException(key, "class " + name + ": static initialiser failed: " + e.getCause());
      } catch (LinkageError e) {
        throw new ConfigException(key, "class " + name + " cannot be loaded: " + e);
      } catch (ClassNotFoundException e) {
        throw new ConfigException(key, "class " + name + " not found");
      } catch (NoSuchMethodException e) {
        throw new ConfigException(key, "class " + name + " needs a public no-argument constructor");
      } catch (InvocationTargetException e) {
        throw new ConfigException(key, "class " + name + ": constructor failed: " + e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new ConfigException(key, "class " + name + " cannot be created: " + e);
      }
    }
    return hooks;
  }
}
