package dev.dispatcher.tools.demo;

import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoMix;
import dev.dispatcher.tools.postgres.DemoDatabase;
import dev.dispatcher.tools.process.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole demo in one command: a Postgres (reused, Docker or embedded); the daemon's schema
 * migrated and a burst of durable tasks published while no daemon runs; the daemon jar as a
 * process with {@code dispatcher.yml} (and the HTTP API on a free port); a burst of fire-and-forget
 * tasks; a wait until every task of both bursts has run (read from the {@code RunJournal} table), a
 * summary of each; one task submitted over HTTP and its status read back; and a clean stop. Exits 1 when a task went missing, ran twice or failed unexpectedly.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start Postgres and the daemon, publish a burst of demo tasks, wait until all ran, print a summary, stop.")
public final class DemoCommand implements Callable<Integer> {

  @Option(names = {"-n", "--count"}, defaultValue = "1000", description = "Tasks to publish (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--config", defaultValue = "dispatcher.yml", description = "Daemon config (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--daemon-jar", defaultValue = "dispatcher-service/target/dispatcher-standalone.jar",
      description = "The daemon jar (default: ${DEFAULT-VALUE}).")
  Path daemonJar;

  @Option(names = "--tools-jar", description = "Jar with the demo tasks (default: the jar running this command).")
  Path toolsJar;

  @Option(names = "--port", defaultValue = "55777", description = "Port of the demo Postgres (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for all tasks (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    Path tasksJar = toolsJar != null ? toolsJar
        : Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    System.out.println("== demo: starting Postgres on port " + port);
    try (DemoDatabase database = DemoDatabase.startOrReuse(port)) {
      System.out.println("   Postgres: " + database.kind() + " at " + database.url());
      if (!migrate(database)) {
        return 1;
      }
      System.out.println("== demo: publishing " + count + " durable tasks while no daemon runs");
      List<String> durableUuids = publish(database, true);
      Path log = Path.of(".run", "demo-daemon.log");
      System.out.println("== demo: starting the daemon (log: " + log + ")");
      Path withApi = Files.createDirectories(Path.of(".run")).resolve("demo-dispatcher.yml");
      Files.writeString(withApi, Files.readString(config) + HttpSubmission.CONFIG);
      String token = "demo-" + UUID.randomUUID() + UUID.randomUUID(); // a fresh token per demo, never printed
      try (DaemonProcess daemon = DaemonProcess.start(daemonJar,
          List.of("--config", withApi.toString(), "--classpath", tasksJar.toString()),
          Map.of("DISPATCHER_DATABASE_URL", database.url(), HttpSubmission.TOKEN_ENV, token), log)) {
        daemon.awaitReady(Duration.ofSeconds(60));
        long start = System.nanoTime();
        System.out.println("== demo: publishing " + count + " fire-and-forget tasks");
        List<String> uuids = publish(database, false);
        boolean fireAndForgetOk = await(database, daemon, "fire-and-forget", uuids, start);
        boolean durableOk = await(database, daemon, "durable (published before the daemon started)", durableUuids, start);
        if (!fireAndForgetOk || !durableOk) {
          return 1;
        }
        System.out.println("== demo: one task over the HTTP API (" + withApi + " adds the api section to " + config + ")");
        String base = daemon.linesContaining("http api on").stream().map(HttpSubmission::baseUrl).filter(java.util.Objects::nonNull)
            .findFirst().orElse(null);
        if (base == null || !new HttpSubmission(base, token).run(Duration.ofSeconds(timeoutSeconds))) {
          System.out.println("== demo: FAILED: the HTTP submission did not complete with 42 (log: " + log + ")");
          return 1;
        }
        System.out.println("== demo: OK, stopping");
        return 0;
      }
    }
  }

  /** The daemon's schema, as {@code dispatcher-standalone migrate} makes it: durable tasks need their table before any daemon runs. */
  private boolean migrate(DemoDatabase database) throws Exception {
    System.out.println("== demo: migrating the daemon's schema (dispatcher-standalone migrate)");
    try (DaemonProcess migrate = DaemonProcess.start(daemonJar, List.of("migrate", "--config", config.toString()),
        Map.of("DISPATCHER_DATABASE_URL", database.url()), Path.of(".run", "demo-migrate.log"))) {
      int exit = migrate.awaitExit(Duration.ofSeconds(60));
      if (exit != 0) {
        System.out.println("== demo: FAILED: migrate exited " + exit + " (log: .run/demo-migrate.log)");
        return false;
      }
      return true;
    }
  }

  private List<String> publish(DemoDatabase database, boolean durable) {
    List<String> uuids = new ArrayList<>(count);
    long start = System.nanoTime();
    try (Publisher publisher = Publisher.builder().url(database.url()).build()) {
      WriteMessagesCommand.publish(publisher, new DemoMix(List.of("test_channel", "test_channel2", "test_channel3"), durable),
          count, 250, uuids::addAll);
    }
    System.out.printf("   published %d in %.2f s%n", uuids.size(), (System.nanoTime() - start) / 1e9);
    return uuids;
  }

  /** Waits until every uuid ran (or the timeout), prints the part's summary; true when nothing is wrong. */
  private boolean await(DemoDatabase database, DaemonProcess daemon, String part, List<String> uuids, long start)
      throws SQLException, InterruptedException {
    Summary summary;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl())) {
      while (true) {
        summary = Summary.read(connection, uuids);
        if (summary.distinct() >= uuids.size() || System.nanoTime() > deadline || !daemon.isAlive()) {
          break;
        }
        // The journal is a table: re-read it a few times a second until every uuid is there.
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
    double totalSeconds = (System.nanoTime() - start) / 1e9;
    int expectedFailures = DemoMix.expectedFailures(uuids.size());
    System.out.println("== demo: summary, " + part);
    System.out.printf("   published   %d%n", uuids.size());
    System.out.printf("   ran         %d (distinct uuids %d)%n", summary.ran(), summary.distinct());
    System.out.printf("   succeeded   %d%n", summary.succeeded());
    System.out.printf("   failed      %d (expected %d: the demo's `fail` task)%n", summary.failed(), expectedFailures);
    System.out.printf("   latency     p50 %.2f ms, p99 %.2f ms (publish -> start, queueing behind the burst included;"
        + " steady-state latency: make bench)%n", summary.p50Millis(), summary.p99Millis());
    System.out.printf("   wall time   %.2f s%n", totalSeconds);
    List<String> problems = new ArrayList<>();
    if (summary.distinct() < uuids.size()) {
      problems.add((uuids.size() - summary.distinct()) + " task(s) went missing");
    }
    if (summary.ran() > summary.distinct()) {
      problems.add((summary.ran() - summary.distinct()) + " task(s) ran more than once");
    }
    if (summary.failed() != expectedFailures) {
      problems.add(summary.failed() + " failures where " + expectedFailures + " were expected");
    }
    if (!problems.isEmpty()) {
      System.out.println("== demo: FAILED (" + part + "): " + String.join("; ", problems) + " (daemon log: .run/demo-daemon.log)");
      return false;
    }
    return true;
  }

  /** What the journal says about the published uuids. */
  record Summary(long ran, long distinct, long succeeded, long failed, double p50Millis, double p99Millis) {

    static Summary read(Connection connection, List<String> uuids) throws SQLException {
      try (PreparedStatement query = connection.prepareStatement("""
          SELECT count(*), count(DISTINCT uuid),
                 count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status <> 'succeeded'),
                 coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - published_at)), 0) * 1000,
                 coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - published_at)), 0) * 1000
            FROM dispatcher_runs WHERE uuid = ANY (?)""")) {
        query.setArray(1, connection.createArrayOf("text", uuids.toArray()));
        try (ResultSet row = query.executeQuery()) {
          row.next();
          return new Summary(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4), row.getDouble(5), row.getDouble(6));
        }
      }
    }
  }
}
