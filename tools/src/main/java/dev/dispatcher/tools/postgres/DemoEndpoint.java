package dev.dispatcher.tools.postgres;

/**
 * Where the demo database listens and how to log in to it. The credentials are fixed so that the
 * demo, the daemon's sample config and a Docker container all agree without passing them around;
 * only the port varies.
 */
record DemoEndpoint(int port) {

  /** IPv4 loopback rather than "localhost", so no resolver ever picks ::1 where nothing listens. */
  static final String HOST = "127.0.0.1";

  static final String USER = "dispatch";
  static final String PASSWORD = "dispatching";
  static final String DATABASE = "dispatch_db";

  DemoEndpoint {
    if (port < 1 || port > 65535) {
      throw new DemoDatabaseException("port " + port + " is not a TCP port (1-65535)");
    }
  }

  /** The libpq-style URL, as the daemon's config and psql take it. */
  String url() {
    return "postgresql://%s:%s@%s:%d/%s".formatted(USER, PASSWORD, HOST, port, DATABASE);
  }

  /** The same database for pgjdbc. */
  String jdbcUrl() {
    return "jdbc:postgresql://%s:%d/%s?user=%s&password=%s"
        .formatted(HOST, port, DATABASE, USER, PASSWORD);
  }

  /** Short form for messages: "127.0.0.1:55777". */
  String address() {
    return HOST + ":" + port;
  }
}
