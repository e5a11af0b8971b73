package dev.dispatcher.tools.chaos;

import dev.dispatcher.tools.process.DaemonProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two daemons of a scenario: the standalone jar as processes, each with a config of its own
 * (node {@code chaos-a} or {@code chaos-b}, the chaos channel and schema, the chaos task, short
 * durable settings) and a log file per start. A killed daemon is started again with the same node
 * id, as a supervisor would.
 */
final class Daemons implements AutoCloseable {

  static final List<String> NODES = List.of("chaos-a", "chaos-b");
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  /** The durable settings of every daemon: short, so an expired lease is rescued within a phase. */
  static final String DURABLE_SETTINGS = "lease 3s, heartbeat_interval 1s, rescue_interval 1s, poll_interval 200ms";

  private final Path daemonJar;
  private final Path tasksJar;
  private final String databaseUrl;
  private final int workers;
  private final Path directory;
  private final DaemonProcess[] running = new DaemonProcess[NODES.size()];
  private final int[] starts = new int[NODES.size()];
  private final List<Path> logs = new ArrayList<>();
  private Path logDirectory;

  Daemons(Path daemonJar, Path tasksJar, String databaseUrl, int workers, Path directory) throws IOException {
    this.daemonJar = daemonJar;
    this.tasksJar = tasksJar;
    this.databaseUrl = databaseUrl;
    this.workers = workers;
    this.directory = Files.createDirectories(directory);
    this.logDirectory = directory;
    for (String node : NODES) {
      Files.writeString(config(node), config(node, workers));
    }
    Files.writeString(logback(), LOGBACK);
  }

  /** The config of one node. */
  static String config(String node, int workers) {
    return """
        # Written by dispatcher-tools chaos.
        database:
          url: set-by-DISPATCHER_DATABASE_URL
          schema: %s
        channels: [%s]
        node_id: %s
        pool:
          max_workers: %d
          shutdown_grace_period: 5s
        tasks:
          classes: [%s]
        durable:
          lease: 3s
          heartbeat_interval: 1s
          rescue_interval: 1s
          poll_interval: 200ms
        """.formatted(ChaosSchema.SCHEMA, ChaosSchema.CHANNEL, node, workers, ChaosTasks.class.getName());
  }

  /**
   * The daemon's own logging (stdout, its escaping converter) but without the line per task run:
   * at hundreds of tasks a second it would be most of the daemons' work and of the tool's memory.
   */
  static final String LOGBACK = """
      <configuration>
        <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
        <conversionRule conversionWord="msg" converterClass="dev.dispatcher.service.log.EscapedMessageConverter"/>
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n</pattern></encoder>
        </appender>
        <logger name="dev.dispatcher.task" level="WARN"/>
        <logger name="com.zaxxer.hikari" level="WARN"/>
        <logger name="io.netty" level="WARN"/>
        <logger name="com.impossibl" level="WARN"/>
        <logger name="org.flywaydb" level="WARN"/>
        <root level="INFO"><appender-ref ref="STDOUT"/></root>
      </configuration>
      """;

  private Path config(String node) {
    return directory.resolve(node + ".yml");
  }

  private Path logback() {
    return directory.resolve("logback-daemon.xml");
  }

  /** {@code dispatcher-standalone migrate}: the schema before any daemon or publisher uses it. */
  void migrate(Path log) throws IOException, InterruptedException {
    try (DaemonProcess migrate = DaemonProcess.start(jvmArgs(), daemonJar, List.of("migrate", "--config", config(NODES.get(0)).toString()),
        environment(), log)) {
      int exit = migrate.awaitExit(READY_TIMEOUT);
      if (exit != 0) {
        throw new IllegalStateException("dispatcher-standalone migrate exited " + exit + ": " + String.join("\n", migrate.lastLines(20)));
      }
    }
  }

  /** Both daemons, started together, each waited for until it listens; their logs go to {@code logDirectory}. */
  synchronized void startAll(Path logDirectory) throws IOException, InterruptedException {
    this.logDirectory = Files.createDirectories(logDirectory);
    logs.clear();
    java.util.Arrays.fill(starts, 0);
    for (int i = 0; i < NODES.size(); i++) {
      launch(i);
    }
    for (int i = 0; i < NODES.size(); i++) {
      running[i].awaitReady(READY_TIMEOUT);
    }
  }

  private void launch(int index) throws IOException {
    starts[index]++;
    Path log = logDirectory.resolve("daemon-" + NODES.get(index) + "-" + starts[index] + ".log");
    logs.add(log);
    running[index] = DaemonProcess.start(jvmArgs(), daemonJar,
        List.of("--config", config(NODES.get(index)).toString(), "--classpath", tasksJar.toAbsolutePath().toString()),
        environment(), log);
  }

  /** Starts the node again (after {@link #kill}) and waits until it listens. */
  synchronized void restart(int index) throws IOException, InterruptedException {
    if (running[index] != null && running[index].isAlive()) {
      throw new IllegalStateException(NODES.get(index) + " is still running");
    }
    launch(index);
    running[index].awaitReady(READY_TIMEOUT);
  }

  /** SIGKILL, and waits until the process is gone; returns its pid. */
  synchronized long kill(int index) throws InterruptedException {
    DaemonProcess daemon = running[index];
    long pid = daemon.pid();
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    daemon.awaitExit(Duration.ofSeconds(30));
    daemon.close(); // closes its log file
    return pid;
  }

  synchronized boolean alive(int index) {
    return running[index] != null && running[index].isAlive();
  }

  /** Every log file of this scenario's daemons. */
  synchronized List<Path> logs() {
    return List.copyOf(logs);
  }

  /**
   * SIGTERM to every daemon still running, then waits (at most 30 s each, then SIGKILL). One SIGTERM
   * each, all at once (a second one makes a daemon stop at once, without its graceful shutdown).
   */
  synchronized void stopAll() {
    List<Thread> stopping = new ArrayList<>();
    for (int i = 0; i < running.length; i++) {
      DaemonProcess daemon = running[i];
      running[i] = null;
      if (daemon != null) {
        stopping.add(Thread.ofPlatform().name("chaos-stop-" + NODES.get(i)).start(daemon::close));
      }
    }
    for (Thread thread : stopping) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private List<String> jvmArgs() {
    return List.of("-Xmx256m", "-Dlogback.configurationFile=" + logback().toAbsolutePath());
  }

  private Map<String, String> environment() {
    return Map.of("DISPATCHER_DATABASE_URL", databaseUrl);
  }

  @Override
  public void close() {
    stopAll();
  }
}
