package dev.dispatcher.tools.chaos;

import dev.dispatcher.jdbc.DatabaseUrl;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dispatcher-tools chaos}: durable delivery under the failures of the public Postgres
 * job-queue benchmark harness, against two real daemon processes and a Postgres the command
 * controls. Each scenario: a baseline phase at a steady rate, a stress phase, a recovery phase,
 * then a drain; it counts what was enqueued, completed, lost (must be 0) and run twice, and times
 * the recovery. Exits 1 when a scenario lost a task or could not run to its end.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = {"Durable delivery under failures: Postgres restart, terminated backends, connection exhaustion, SIGKILLed daemons,"
        + " a pinned xmin horizon, overload, REPEATABLE READ readers, a Postgres crash. Two daemons, an embedded Postgres (or --url);"
        + " prints per scenario: enqueued, completed, lost, run twice, time to recover.",
        "Exit status: 0 all scenarios ran and lost nothing; 1 a task was lost or a scenario broke off; 2 bad options."})
public final class ChaosCommand implements Callable<Integer> {

  @Option(names = "--scenarios", defaultValue = "all", paramLabel = "LIST",
      description = "Comma-separated numbers or names: 1=restart, 2=terminate, 3=exhaust, 4=kill, 5=kill-repeated, 6=xmin,"
          + " 7=overload, 8=readers, 9=crash, or all (default: ${DEFAULT-VALUE}).")
  String scenarios;

  @Option(names = "--phase-seconds", defaultValue = "20,20,20", paramLabel = "B,S,R",
      description = "Baseline, stress and recovery lengths in seconds, or one length for all three (default: ${DEFAULT-VALUE}).")
  String phaseSeconds;

  @Option(names = "--rate", defaultValue = "500", description = "Tasks published per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--url", description = "Use this database instead of an embedded one (the restart and crash scenarios are skipped). The daemons"
      + " keep their tables in the schema " + ChaosSchema.SCHEMA + "; scenarios 2 and 3 end or crowd out other clients: use a database of your own.")
  String url;

  @Option(names = "--port", defaultValue = "0", description = "Port of the embedded Postgres (default: a free one).")
  int port;

  @Option(names = "--daemon-jar", defaultValue = "dispatcher-service/target/dispatcher-standalone.jar",
      description = "The daemon jar (default: ${DEFAULT-VALUE}).")
  Path daemonJar;

  @Option(names = "--tools-jar", description = "Jar with the chaos task, for the daemons' --classpath (default: the jar running this command).")
  Path toolsJar;

  @Option(names = "--task-millis", defaultValue = "20",
      description = "How long each task works (sleeps) after journaling its run: a daemon killed meanwhile holds rows (default: ${DEFAULT-VALUE}).")
  long taskMillis;

  @Option(names = "--workers", defaultValue = "16", description = "pool.max_workers of each daemon (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--outage-seconds", defaultValue = "5", description = "restart, crash: how long Postgres stays down, at most the stress phase (default: ${DEFAULT-VALUE}).")
  double outageSeconds;

  @Option(names = "--kill-interval", defaultValue = "20", description = "kill-repeated: seconds between two SIGKILLs (default: ${DEFAULT-VALUE}).")
  double killIntervalSeconds;

  @Option(names = "--kills", defaultValue = "3", description = "kill-repeated: how many SIGKILLs; its stress phase lasts kills x interval (default: ${DEFAULT-VALUE}).")
  int kills;

  @Option(names = "--readers", defaultValue = "3", description = "readers: REPEATABLE READ reader threads (default: ${DEFAULT-VALUE}).")
  int readers;

  @Option(names = "--drain-timeout", defaultValue = "60", description = "Seconds to wait after the recovery phase for every task to complete (default: ${DEFAULT-VALUE}).")
  int drainTimeoutSeconds;

  @Option(names = "--work-dir", defaultValue = ".run/chaos", description = "Where configs, daemon and Postgres logs and samples go, a folder per run (default: ${DEFAULT-VALUE}).")
  Path workDir;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    List<Scenario> chosen;
    Phases phases;
    try {
      chosen = Scenario.parse(scenarios);
      phases = Phases.parse(phaseSeconds);
      check(rate > 0 && rate <= 100_000, "--rate must be above 0 and at most 100000, was " + rate);
      check(taskMillis >= 0 && taskMillis <= 60_000, "--task-millis must be from 0 to 60000, was " + taskMillis);
      check(workers >= 1 && workers <= 1000, "--workers must be from 1 to 1000, was " + workers);
      check(outageSeconds >= 1, "--outage-seconds must be at least 1, was " + outageSeconds);
      check(killIntervalSeconds >= 5, "--kill-interval must be at least 5 (a restart takes seconds), was " + killIntervalSeconds);
      check(kills >= 1 && kills <= 100, "--kills must be from 1 to 100, was " + kills);
      check(readers >= 1 && readers <= 50, "--readers must be from 1 to 50, was " + readers);
      check(drainTimeoutSeconds >= 1, "--drain-timeout must be at least 1, was " + drainTimeoutSeconds);
    } catch (IllegalArgumentException e) {
      System.err.println("chaos: " + e.getMessage());
      return 2;
    }
    Path tasksJar = toolsJar != null ? toolsJar : Path.of(ChaosCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path runDir = Files.createDirectories(workDir.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));

    List<ScenarioResult> results = new ArrayList<>();
    try (Cleanup cleanup = new Cleanup()) {
      ChaosPostgres postgres = null;
      String databaseUrl = url;
      if (databaseUrl == null) {
        Path data = Files.createTempDirectory("dispatcher-chaos-pg");
        cleanup.add("the embedded Postgres' data directory", () -> deleteTree(data));
        int serverPort = port != 0 ? port : freePort();
        out.println("== chaos: starting an embedded Postgres on port " + serverPort + " (data in " + data + ")");
        postgres = cleanup.add("the embedded Postgres", ChaosPostgres.start(data.resolve("pgdata"), serverPort, runDir.resolve("postgres.log")));
        databaseUrl = postgres.url();
      }
      ChaosDatabase database = new ChaosDatabase(DatabaseUrl.parse(databaseUrl));
      header(chosen, phases, database, tasksJar, runDir);
      Daemons daemons = cleanup.add("the daemons", new Daemons(daemonJar, tasksJar, databaseUrl, workers, runDir));
      out.println("== chaos: migrating the schema " + ChaosSchema.SCHEMA + " (dispatcher-standalone migrate)");
      daemons.migrate(runDir.resolve("migrate.log"));
      database.createJournal();
      for (int i = 0; i < chosen.size(); i++) {
        Scenario scenario = chosen.get(i);
        out.println();
        out.println("== chaos " + (i + 1) + "/" + chosen.size() + ": " + scenario.number() + " " + scenario.label() + ": " + scenario.description());
        ScenarioResult result;
        if (scenario.needsEmbeddedPostgres() && postgres == null) {
          result = ScenarioResult.skipped(scenario, "needs the embedded Postgres (runs without --url)");
          out.println("   skipped: " + result.failure());
        } else {
          try {
            result = run(scenario, phases, database, postgres, daemons, cleanup, runDir.resolve(scenario.number() + "-" + scenario.label()));
          } catch (Exception e) {
            result = ScenarioResult.broken(scenario, e.toString(), List.of());
            out.println("   BROKE OFF: " + e);
            e.printStackTrace(out);
          } finally {
            daemons.stopAll();
          }
        }
        results.add(result);
      }
    }
    out.println();
    out.println("== chaos: summary (" + phases + " phases, " + fmt(rate) + " tasks/s of " + taskMillis + " ms, 2 daemons x " + workers
        + " workers; durable " + Daemons.DURABLE_SETTINGS + "; logs in " + runDir + ")");
    String table = SummaryTable.markdown(results);
    out.print(table);
    Files.writeString(runDir.resolve("summary.md"), table, StandardCharsets.UTF_8);
    long lost = results.stream().mapToLong(ScenarioResult::lost).sum();
    List<String> broken = results.stream().filter(r -> !r.ran() && !r.skipped()).map(r -> r.scenario().label()).toList();
    if (lost > 0) {
      out.println("== chaos: FAILED: " + lost + " task(s) lost in "
          + results.stream().filter(r -> r.lost() > 0).map(r -> r.scenario().label()).toList() + " (details above; logs in " + runDir + ")");
    }
    if (!broken.isEmpty()) {
      out.println("== chaos: FAILED: scenario(s) broke off: " + broken);
    }
    if (lost == 0 && broken.isEmpty()) {
      out.println("== chaos: OK: no task lost");
    }
    return lost > 0 || !broken.isEmpty() ? 1 : 0;
  }

  private ScenarioResult run(Scenario scenario, Phases configured, ChaosDatabase database, ChaosPostgres postgres, Daemons daemons,
      Cleanup cleanup, Path dir) throws Exception {
    Duration killInterval = Duration.ofMillis(Math.round(killIntervalSeconds * 1000));
    Phases phases = configured.withStress(Stress.length(scenario, configured.stress(), killInterval, kills));
    Duration outage = Duration.ofMillis(Math.min(Math.round(outageSeconds * 1000), phases.stress().toMillis()));
    database.reset();
    daemons.startAll(dir);
    out.println("   phases " + phases + " (baseline, stress, recovery), publishing " + fmt(rate) + " tasks/s; logs in " + dir);
    LoadPublisher publisher = cleanup.add("the publisher", new LoadPublisher(database, rate, taskMillis));
    Sampler sampler = cleanup.add("the sampler", new Sampler(database, publisher::acknowledged));
    long origin = System.nanoTime();
    Stress.Context context = new Stress.Context(database, postgres, daemons, publisher, 0, outage, killInterval, readers, url == null,
        origin, out);
    publisher.start();
    sampler.start();
    context.say("daemons ready, baseline");

    long baselineEnd = origin + phases.baseline().toNanos();
    Stress.sleepUntil(baselineEnd);
    long measuredFrom = origin + phases.baseline().toNanos() / 2; // the first half warms up (JIT, pools, a first backlog)
    List<Sample> baselineSamples = sampler.samples();
    double baseline = Throughput.baseline(baselineSamples, measuredFrom, baselineEnd);
    double baselineCompletions = Throughput.rate(baselineSamples, measuredFrom, baselineEnd);
    long baselineBacklog = Throughput.maxBacklog(baselineSamples, measuredFrom, baselineEnd);
    context.say(String.format(Locale.ROOT, "baseline: %.0f completions/s in its second half (%.0f/s published), backlog at most %d; stress",
        baselineCompletions, Throughput.publishRate(baselineSamples, measuredFrom, baselineEnd), baselineBacklog));

    context = new Stress.Context(database, postgres, daemons, publisher, baseline, outage, killInterval, readers, url == null, origin, out);
    long stressStart = System.nanoTime();
    Stress.Outcome outcome;
    Stress stress = cleanup.add("the stress of " + scenario.label(), Stress.of(scenario, context));
    try {
      outcome = stress.run(stressStart, stressStart + phases.stress().toNanos());
    } finally {
      cleanup.release(stress);
    }
    context.say("stress over: " + outcome.summary());
    context.say("recovery");
    long recoveryEnd = outcome.endNanos() + phases.recovery().toNanos();
    Stress.sleepUntil(recoveryEnd);
    cleanup.release(publisher);
    context.say("publisher stopped (" + SummaryTable.count(publisher.acknowledged()) + " acknowledged); draining, at most "
        + drainTimeoutSeconds + " s");
    long drainStart = System.nanoTime();
    long left = drain(database, drainStart + TimeUnit.SECONDS.toNanos(drainTimeoutSeconds));
    long drained = System.nanoTime();
    context.say(left == 0 ? "every task completed (drain " + Stress.seconds(drained - drainStart) + ")"
        : left + " task(s) still not completed after " + drainTimeoutSeconds + " s");
    cleanup.release(sampler);
    List<Sample> samples = sampler.samples();
    writeSamples(dir.resolve("samples.csv"), samples, origin);

    List<String> remarks = new ArrayList<>();
    for (int i = 0; i < Daemons.NODES.size(); i++) {
      if (!daemons.alive(i)) {
        remarks.add(Daemons.NODES.get(i) + " was not running at the end (it exited by itself)");
      }
    }
    Accounting accounting = database.account(publisher.acknowledgedUuids(), publisher.unconfirmed());
    daemons.stopAll();
    LogDigest logs = LogDigest.of(daemons.logs());

    double stressRate = Throughput.rate(samples, stressStart, outcome.endNanos());
    double recoveryRate = Throughput.rate(samples, outcome.endNanos(), recoveryEnd);
    OptionalDouble recovered = Throughput.recoverySeconds(samples, baseline, outcome.recoveryFromNanos(), recoveryEnd);
    long backlogBound = Math.round(Math.ceil(rate)); // one second of publishing
    OptionalDouble cleared = Throughput.backlogClearedSeconds(samples, backlogBound, outcome.recoveryFromNanos(), recoveryEnd);
    long deadMax = Throughput.maxDeadTuples(samples, stressStart, outcome.endNanos());

    remarks.addAll(outcome.remarks());
    if (baseline < 0.9 * rate) {
      remarks.add(String.format(Locale.ROOT, "the baseline completed %.0f/s of the %.0f/s asked: the daemons or the machine are"
          + " saturated (lower --rate)", baseline, rate));
    }
    if (baselineCompletions > baseline * 1.02) {
      remarks.add(String.format(Locale.ROOT, "baseline throughput taken as %.0f/s, the publish rate: %.0f completions/s in the"
          + " baseline's second half include a start-up backlog being worked off", baseline, baselineCompletions));
    }
    remarks.add(duplicates(accounting));
    remarks.add(retries(accounting));
    if (accounting.completedWithoutRun() > 0) {
      remarks.add("BUG: " + accounting.completedWithoutRun() + " row(s) completed without any run in the journal");
    }
    remarks.add("publisher: " + publisher.failures() + " failed statement(s)" + (publisher.firstFailure() == null ? ""
        : " (first: " + oneLine(publisher.firstFailure(), 160) + ")") + "; batch in flight at its stop: " + accounting.unconfirmed()
        + " uuid(s), " + accounting.unconfirmedPresent() + " of them in the table");
    remarks.add(logs.summary());
    logs.errorSamples.forEach(line -> remarks.add("  " + line));
    remarks.add(String.format(Locale.ROOT, "dead tuples of the task table: at most %d during the stress; %d at the end", deadMax,
        samples.isEmpty() ? -1 : samples.getLast().deadTuples()));

    ScenarioResult result = new ScenarioResult(scenario, accounting.enqueued(), accounting.completed(), accounting.lost(),
        accounting.runTwice(), accounting.extraRuns(), baseline, stressRate, recoveryRate, recovered, cleared, deadMax,
        outcome.summary(), remarks, null, false);
    String from = switch (scenario) {
      case RESTART, CRASH -> "Postgres accepted connections again";
      case KILL -> "the kill";
      default -> "the stress phase ended";
    };
    out.printf("   enqueued %s, completed %s, LOST %s, run twice %s (%s extra runs)%n", SummaryTable.count(result.enqueued()),
        SummaryTable.count(result.completed()), SummaryTable.count(result.lost()), SummaryTable.count(result.runTwice()),
        SummaryTable.count(result.extraRuns()));
    out.printf("   throughput: baseline %s/s, stress %s/s, recovery %s/s; back to 90%% of the baseline %s after %s; backlog under"
            + " one second of publishing (%d) %s after it%n", SummaryTable.rate(baseline), SummaryTable.rate(stressRate), SummaryTable.rate(recoveryRate),
        SummaryTable.seconds(recovered, "never (within the recovery phase)"), from, backlogBound, SummaryTable.seconds(cleared, "never"));
    remarks.forEach(remark -> out.println("   " + remark));
    if (result.lost() > 0) {
      describeLost(accounting, database, daemons.logs());
    }
    return result;
  }

  private static String duplicates(Accounting accounting) {
    if (accounting.runTwice() == 0) {
      return "run twice: none";
    }
    return "run twice: " + accounting.runTwice() + " uuid(s), " + accounting.extraRuns() + " extra run(s): " + accounting.afterExpiredLease()
        + " after an expired lease (the row was rescued and claimed again), " + accounting.afterFailedAttempt()
        + " after a failed attempt whose journal insert had committed, " + accounting.sameAttempt()
        + " with one attempt number journaled twice, " + accounting.unexplainedDuplicates() + " unexplained";
  }

  private static String retries(Accounting accounting) {
    if (accounting.errorsByKind().isEmpty()) {
      return "retries: none (every row completed at its first attempt)";
    }
    List<String> kinds = new ArrayList<>();
    accounting.errorsByKind().forEach((kind, count) -> kinds.add(kind + " " + count));
    return "retries: " + accounting.retriedRows() + " row(s) needed more than one attempt; error entries: " + String.join(", ", kinds)
        + (accounting.firstFailure() == null ? "" : " (a failure: " + oneLine(accounting.firstFailure(), 160) + ")");
  }

  /** The lost rows, their runs and what the daemons logged about them. */
  private void describeLost(Accounting accounting, ChaosDatabase database, List<Path> logs) throws Exception {
    out.println("   LOST by state: " + accounting.notCompletedByState() + "; acknowledged but absent from the table: "
        + accounting.acknowledgedMissing().size());
    accounting.lostRows().forEach(row -> out.println("     row " + row));
    accounting.acknowledgedMissing().stream().limit(10).forEach(uuid -> out.println("     absent " + uuid));
    List<String> uuids = new ArrayList<>();
    accounting.lostRows().forEach(row -> uuids.add(row.substring(0, 36)));
    accounting.acknowledgedMissing().stream().limit(10).forEach(uuids::add);
    database.runsOf(uuids).forEach(run -> out.println("     journal: " + run));
    for (Path log : logs) {
      if (!Files.isRegularFile(log)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
        lines.filter(line -> uuids.stream().anyMatch(line::contains)).limit(20)
            .forEach(line -> out.println("     " + log.getFileName() + ": " + oneLine(line, 400)));
      } catch (UncheckedIOException e) {
        // a line cut by a kill: the rest of that file is left out
      }
    }
  }

  /** Waits until every row is completed or the deadline passes; returns how many are not (Postgres may be unreachable for a moment). */
  private static long drain(ChaosDatabase database, long deadline) throws InterruptedException {
    long left = -1;
    while (true) {
      try {
        left = database.notCompleted();
        if (left == 0) {
          return 0;
        }
      } catch (java.sql.SQLException e) {
        // reconnecting
      }
      if (System.nanoTime() > deadline) {
        return left;
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
  }

  private void header(List<Scenario> chosen, Phases phases, ChaosDatabase database, Path tasksJar, Path runDir) throws Exception {
    out.println("== chaos: " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19) + ", " + machine());
    out.println("   database: " + database.url() + ", " + database.serverVersion() + (url == null ? ", embedded (this run's own)" : ", given"));
    out.println("   scenarios: " + chosen.stream().map(s -> s.number() + " " + s.label()).toList() + "; phases " + phases
        + " (baseline, stress, recovery); kill-repeated: " + kills + " kills " + fmt(killIntervalSeconds) + " s apart");
    out.println("   load: " + fmt(rate) + " durable tasks/s through " + ChaosSchema.ENQUEUE_MANY + "(jsonb), batches every 50 ms"
        + " (max_attempts " + LoadPublisher.MAX_ATTEMPTS + ", backoff " + fmt(LoadPublisher.BACKOFF_SECONDS) + " s up to "
        + fmt(LoadPublisher.MAX_BACKOFF_SECONDS) + " s)");
    out.println("   daemons: 2 (" + String.join(", ", Daemons.NODES) + "), " + workers + " workers each, -Xmx256m; short durable settings: "
        + Daemons.DURABLE_SETTINGS + " (so an expired lease is rescued within a phase)");
    out.println("   task: " + ChaosTasks.NAME + " (journals each run into " + ChaosSchema.JOURNAL + ", then works " + taskMillis
        + " ms), from " + tasksJar);
    out.println("   output: " + runDir);
  }

  /** Cores, load, memory, OS, Java: where the figures come from. */
  static String machine() {
    String load = "?";
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      load = fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : load;
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    long memory = -1;
    try {
      memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
          .getTotalMemorySize() / (1024 * 1024 * 1024);
    } catch (RuntimeException | LinkageError e) {
      // not a HotSpot JVM
    }
    return Runtime.getRuntime().availableProcessors() + " cores, load average " + load + ", " + (memory < 0 ? "?" : memory) + " GiB, "
        + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java " + Runtime.version();
  }

  private static void writeSamples(Path file, List<Sample> samples, long origin) throws IOException {
    StringBuilder csv = new StringBuilder("seconds,completed,published,backlog,dead_tuples\n");
    for (Sample sample : samples) {
      csv.append(String.format(Locale.ROOT, "%.3f,%d,%d,%d,%d%n", (sample.nanos() - origin) / 1e9, sample.completed(), sample.published(),
          sample.backlog(), sample.deadTuples()));
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static String fmt(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static String oneLine(String text, int max) {
    String line = text.replaceAll("\\s+", " ").strip();
    return line.length() <= max ? line : line.substring(0, max) + "…";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
