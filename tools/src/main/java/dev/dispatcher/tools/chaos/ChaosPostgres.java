package dev.dispatcher.tools.chaos;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
        .setServerConfig("log_line_prefix", "%m|%p|%a|") // no spaces: zonky passes it as a -c argument
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
