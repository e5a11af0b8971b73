package dev.dispatcher.tools.postgres;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

/** Tells whether the demo database accepts the demo login on a port, and waits until it does. */
final class PostgresProbe {

  /** What one look at the port found. */
  sealed interface Result permits Ready, NothingListening, Rejected {}

  /** The demo login works. */
  record Ready(String serverVersion) implements Result {}

  /** Nothing accepts TCP connections on the port: it is free for us to start a server on. */
  record NothingListening() implements Result {}

  /** Something listens, but the demo login fails (another server, or one still starting). */
  record Rejected(String reason) implements Result {}

  private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  private final Duration connectTimeout;

  PostgresProbe(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  Result probe(DemoEndpoint endpoint) {
    // A plain TCP connect first: "nothing listens" and "something listens but says no" call for
    // different actions (start a server vs. refuse to), and pgjdbc reports both as SQLException.
    if (!acceptsTcp(endpoint)) {
      return new NothingListening();
    }
    try (Connection connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), driverProperties());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW server_version")) {
      rows.next();
      return new Ready(rows.getString(1));
    } catch (SQLException e) {
      return new Rejected(Messages.oneLine(e));
    }
  }

  /**
   * Probes until the demo login works, the starter reports that it failed, or {@code timeout}
   * passes.
   *
   * @param what names the server in error messages, e.g. "embedded Postgres"
   * @param starterFailure empty while whatever starts the server is still alive; otherwise why it
   *     is not (polled between probes so a crashed starter fails fast instead of at the timeout)
   */
  Ready awaitReady(
      DemoEndpoint endpoint,
      Duration timeout,
      String what,
      Supplier<Optional<String>> starterFailure) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      Result result = probe(endpoint);
      if (result instanceof Ready ready) {
        return ready;
      }
      Optional<String> failure = starterFailure.get();
      if (failure.isPresent()) {
        throw new DemoDatabaseException(what + " " + failure.get());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new DemoDatabaseException(
            "%s did not accept connections at %s within %ds (last attempt: %s)"
                .formatted(what, endpoint.address(), timeout.toSeconds(), describe(result)));
      }
      try {
        Thread.sleep(POLL_INTERVAL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DemoDatabaseException(
            "interrupted while waiting for " + what + " at " + endpoint.address(), e);
      }
    }
  }

  static String describe(Result result) {
    return switch (result) {
      case Ready ready -> "accepting connections (PostgreSQL " + ready.serverVersion() + ")";
      case NothingListening ignored -> "nothing listening";
      case Rejected rejected -> rejected.reason();
    };
  }

  private boolean acceptsTcp(DemoEndpoint endpoint) {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(DemoEndpoint.HOST, endpoint.port()),
          (int) connectTimeout.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Properties driverProperties() {
    String seconds = Long.toString(Math.max(1, connectTimeout.toSeconds()));
    Properties properties = new Properties();
    // Bound every step: a half-started server can accept TCP and then never answer.
    properties.setProperty("connectTimeout", seconds);
    properties.setProperty("loginTimeout", seconds);
    properties.setProperty("socketTimeout", seconds);
    properties.setProperty("ApplicationName", "dispatcher-tools probe");
    return properties;
  }
}
