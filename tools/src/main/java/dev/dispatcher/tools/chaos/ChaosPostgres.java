package dev.dispatcher.tools.chaos;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;

/**
 * The embedded Postgres (zonky's binaries) the chaos run controls: one data directory and one
 * port, so it can be stopped (pg_ctl's fast shutdown: sessions are ended, committed work is kept)
 * and started again as the same server. Superuser {@code postgres}, trust authentication, bound to
 * 127.0.0.1; {@code synchronous_commit} and {@code fsync} on (zonky's defaults turn them off: an acknowledged
 * enqueue must survive a crash here), {@code max_connections} 100 (Postgres' default; zonky's is 300).
 * Its server log goes to a file.
 */
final class ChaosPostgres implements AutoCloseable {

  static final String HOST = "127.0.0.1";
  static final int MAX_CONNECTIONS = 100;
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final Path dataDirectory;
  private final int port;
  private final Path logFile;
  private EmbeddedPostgres server; // guarded by this

  private ChaosPostgres(Path dataDirectory, int port, Path logFile) {
    this.dataDirectory = dataDirectory;
    this.port = port;
    this.logFile = logFile;
  }

  /** initdb on the (empty) directory and the first start. */
  static ChaosPostgres start(Path dataDirectory, int port, Path logFile) throws IOException {
    Files.createDirectories(dataDirectory);
    ChaosPostgres postgres = new ChaosPostgres(dataDirectory, port, logFile);
    postgres.start();
    return postgres;
  }

  /** Starts the server on the data directory (after {@link #stop()}); waits until it accepts connections. */
  synchronized void start() throws IOException {
    if (server != null) {
      return;
    }
    server = EmbeddedPostgres.builder()
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("listen_addresses", HOST)
        .setServerConfig("max_connections", Integer.toString(MAX_CONNECTIONS))
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("fsync", "on")
        // no spaces, nothing a shell reads: pg_ctl hands the options to /bin/sh (a '|' made pipes of them)
        .setServerConfig("log_line_prefix", "%m,pid=%p,app=%a,")
        .setPGStartupWait(STARTUP_WAIT)
        .setRegisterShutdownHook(false) // the chaos command's cleanup stops it, on every exit path
        .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
  }

  /** Fast shutdown; returns once the server is down. The data directory stays. */
  synchronized void stop() throws IOException {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } finally {
      server = null;
    }
  }

  /**
   * A crash: the postmaster and every process it started SIGKILLed, nothing flushed or checkpointed
   * on the way down. What the WAL writer had not yet written out is gone, as it is when the
   * server's machine loses power: commits made with {@code synchronous_commit = off} (the
   * daemons' claims) may be lost; acknowledged synchronous commits are not. Returns once every one
   * of those processes has exited; {@link #start()} then runs crash recovery.
   */
  synchronized void crash() throws IOException {
    if (server == null) {
      return;
    }
    // zonky starts the server through pg_ctl, whose process is long gone: the postmaster's pid is the
    // first line of its pid file
    long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().strip());
    ProcessHandle postmaster = ProcessHandle.of(pid)
        .orElseThrow(() -> new IOException("the postmaster of " + dataDirectory + " (pid " + pid + ") is not running"));
    List<ProcessHandle> processes = new ArrayList<>(postmaster.descendants().toList());
    processes.addFirst(postmaster); // first, so it cannot start new processes or a recovery of its own
    processes.forEach(ProcessHandle::destroyForcibly);
    try {
      for (ProcessHandle process : processes) {
        process.onExit().get(STARTUP_WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the killed server to exit", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("a killed server process did not exit within " + STARTUP_WAIT.toSeconds() + " s", e);
    }
    // zonky's close runs pg_ctl stop, which finds no server and says so as an error; its lock on the
    // data directory is released all the same, and that is what close is for here
    Logger zonky = (Logger) LoggerFactory.getLogger(EmbeddedPostgres.class);
    Level level = zonky.getLevel();
    zonky.setLevel(Level.OFF);
    try {
      server.close();
    } finally {
      zonky.setLevel(level);
      server = null;
    }
  }

  int port() {
    return port;
  }

  /** The address for the daemons and the tool (superuser {@code postgres}, database {@code postgres}). */
  String url() {
    return "postgresql://postgres@" + HOST + ":" + port + "/postgres";
  }

  Path logFile() {
    return logFile;
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
