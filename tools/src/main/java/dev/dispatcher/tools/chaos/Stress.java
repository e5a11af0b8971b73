package dev.dispatcher.tools.chaos;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stress phase of a scenario: runs on the caller's thread from its start to its end (or, for a
 * disruption that outlasts it, until that is over) while the publisher keeps publishing, and says
 * from when its recovery is timed. {@link #close()} releases whatever it holds (connections,
 * threads) and is safe to call from another thread, at any time, more than once: the cleanup calls
 * it on an abnormal exit.
 */
abstract class Stress implements AutoCloseable {

  /**
   * What the stress phase did.
   *
   * @param recoveryFromNanos from when the recovery is timed: the end of the disruption (Postgres back, the kill) or of the phase
   * @param endNanos when the stress phase ended
   * @param summary one line
   * @param remarks further lines
   */
  record Outcome(long recoveryFromNanos, long endNanos, String summary, List<String> remarks) {}

  /** What a stress may use. */
  record Context(ChaosDatabase database, ChaosPostgres postgres, Daemons daemons, LoadPublisher publisher, double baselineRate,
      Duration outage, Duration killInterval, int readers, boolean ownDatabase, long originNanos, PrintStream out) {

    /** "+12.3 s", from the start of the scenario. */
    String at(long nanos) {
      return String.format(Locale.ROOT, "+%.1f s", (nanos - originNanos) / 1e9);
    }

    void say(String line) {
      out.println("   " + at(System.nanoTime()) + ": " + line);
    }
  }

  protected final Context context;
  protected volatile boolean closed;

  Stress(Context context) {
    this.context = context;
  }

  static Stress of(Scenario scenario, Context context) {
    return switch (scenario) {
      case RESTART -> new Outage(context, false);
      case TERMINATE -> new Terminate(context);
      case EXHAUST -> new Exhaust(context);
      case KILL -> new Kill(context, 1);
      case KILL_REPEATED -> new Kill(context, Integer.MAX_VALUE);
      case XMIN -> new Xmin(context);
      case OVERLOAD -> new Overload(context);
      case READERS -> new Readers(context);
      case CRASH -> new Outage(context, true);
    };
  }

  /** How long the stress phase of this scenario lasts, given the configured one. */
  static Duration length(Scenario scenario, Duration configured, Duration killInterval, int kills) {
    return scenario == Scenario.KILL_REPEATED ? killInterval.multipliedBy(kills) : configured;
  }

  abstract Outcome run(long startNanos, long endNanos) throws Exception;

  @Override
  public void close() {
    closed = true;
  }

  static void sleepUntil(long nanos) throws InterruptedException {
    long remaining = nanos - System.nanoTime();
    if (remaining > 0) {
      TimeUnit.NANOSECONDS.sleep(remaining);
    }
  }

  static void closeQuietly(AutoCloseable resource) {
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception ignored) {
        // releasing anyway
      }
    }
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  /**
   * 1 and 9. Postgres taken down at the start of the phase — stopped (a fast shutdown) or crashed
   * (every server process SIGKILLed) — kept down for the outage, then started again on the same
   * directory and port (after a crash, Postgres recovers first).
   */
  static final class Outage extends Stress {
    private final boolean crash;

    Outage(Context context, boolean crash) {
      super(context);
      this.crash = crash;
    }

    @Override
    Outcome run(long startNanos, long endNanos) throws Exception {
      if (crash) {
        context.say("crashing Postgres (SIGKILL of the postmaster and all its processes)");
        context.postgres().crash();
      } else {
        context.say("stopping Postgres (fast shutdown)");
        context.postgres().stop();
      }
      long down = System.nanoTime();
      context.say("Postgres is down; starting it again at " + context.at(startNanos + context.outage().toNanos())
          + (crash ? " (crash recovery)" : ""));
      sleepUntil(startNanos + context.outage().toNanos());
      context.postgres().start();
      long up = System.nanoTime();
      context.say("Postgres accepts connections again");
      sleepUntil(endNanos);
      return new Outcome(up, Math.max(endNanos, System.nanoTime()), "Postgres " + (crash ? "killed" : "stopped") + " in "
          + seconds(down - startNanos) + ", accepting connections again" + (crash ? " after crash recovery " : " ")
          + seconds(up - startNanos) + " after the " + (crash ? "kill" : "stop") + " began (" + context.at(up) + ")", List.of());
    }
  }

  /** 2. pg_terminate_backend of every client backend but the tool's control connections, twice a second. */
  static final class Terminate extends Stress {
    private volatile Connection connection;

    Terminate(Context context) {
      super(context);
    }

    @Override
    Outcome run(long startNanos, long endNanos) throws Exception {
      // Own database: every client backend but ours. Given database (--url): only the daemons' and this tool's.
      String scope = context.ownDatabase() ? ""
          : " AND (application_name LIKE 'dispatcher%' OR application_name LIKE 'chaos-%')";
      String sql = "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)), count(*) FILTER (WHERE state = 'active'),"
          + " count(*) FILTER (WHERE state LIKE 'idle in transaction%') FROM pg_stat_activity"
          + " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
          + " AND coalesce(application_name, '') <> '" + ChaosSchema.CONTROL_APPLICATION + "'" + scope;
      long rounds = 0;
      long terminated = 0;
      long active = 0;
      long idleInTransaction = 0;
      long failedRounds = 0;
      long next = startNanos;
      while (System.nanoTime() < endNanos && !closed) {
        try {
          if (connection == null) {
            connection = context.database().control();
          }
          try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            terminated += row.getLong(1);
            active += row.getLong(2);
            idleInTransaction += row.getLong(3);
          }
          rounds++;
        } catch (SQLException e) {
          failedRounds++;
          closeQuietly(connection);
          connection = null;
        }
        next += TimeUnit.MILLISECONDS.toNanos(500);
        sleepUntil(Math.min(next, endNanos));
      }
      close();
      return new Outcome(endNanos, System.nanoTime(), rounds + " rounds of pg_terminate_backend, 2 a second: " + terminated
          + " backends terminated (" + active + " of them active, " + idleInTransaction + " idle in transaction, the rest idle)",
          failedRounds == 0 ? List.of() : List.of(failedRounds + " round(s) failed"));
    }

    @Override
    public void close() {
      super.close();
      closeQuietly(connection);
    }
  }

  /** 3. Another client takes every connection but a few and holds them for the phase. */
  static final class Exhaust extends Stress {
    static final int LEFT_FREE = 3;
    private final List<Connection> held = new ArrayList<>(); // guarded by itself

    Exhaust(Context context) {
      super(context);
    }

    @Override
    Outcome run(long startNanos, long endNanos) throws Exception {
      int max;
      int inUse;
      try (Connection control = context.database().control(); Statement statement = control.createStatement();
          ResultSet row = statement.executeQuery("SELECT current_setting('max_connections')::int,"
              + " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')")) {
        row.next();
        max = row.getInt(1);
        inUse = row.getInt(2);
      }
      int wanted = Math.max(0, max - inUse - LEFT_FREE);
      String refusal = null;
      while (heldCount() < wanted && !closed && System.nanoTime() < endNanos) {
        try {
          Connection connection = context.database().connect(ChaosSchema.HOG_APPLICATION, 0);
          synchronized (held) {
            held.add(connection);
          }
        } catch (SQLException e) {
          refusal = e.getMessage();
          break;
        }
      }
      long holding = System.nanoTime();
      int count = heldCount();
      context.say("holding " + count + " connections (max_connections " + max + ", " + inUse + " in use before)");
      sleepUntil(endNanos);
      close();
      List<String> remarks = new ArrayList<>();
      if (refusal != null) {
        remarks.add("the hog was refused after " + count + " connections: " + refusal);
      }
      return new Outcome(endNanos, System.nanoTime(), count + " connections held (max_connections " + max + ", " + inUse
          + " client backends before, " + (max - inUse - count) + " left), all of them " + seconds(holding - startNanos)
          + " after the start", remarks);
    }

    private int heldCount() {
      synchronized (held) {
        return held.size();
      }
    }

    @Override
    public void close() {
      super.close();
      synchronized (held) {
        held.forEach(Stress::closeQuietly);
        held.clear();
      }
    }
  }

  /**
   * 4 and 5. SIGKILL a daemon while it holds running rows, and start it again; repeated every kill
   * interval (alternating the two) while the phase lasts.
   */
  static final class Kill extends Stress {
    private final int maxKills;

    Kill(Context context, int maxKills) {
      super(context);
      this.maxKills = maxKills;
    }

    @Override
    Outcome run(long startNanos, long endNanos) throws Exception {
      List<String> kills = new ArrayList<>();
      long firstKill = 0;
      long next = startNanos;
      for (int k = 0; k < maxKills && next < endNanos && !closed; k++) {
        sleepUntil(next);
        int victim = k % 2 == 0 ? 1 : 0;
        awaitHolding(Daemons.NODES.get(victim), System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
        long killedAt = System.nanoTime();
        firstKill = k == 0 ? killedAt : firstKill;
        long pid = context.daemons().kill(victim);
        long orphaned = context.database().runningOn(Daemons.NODES.get(victim));
        context.say("SIGKILL sent to " + Daemons.NODES.get(victim) + " (pid " + pid + "); it held " + orphaned
            + " running row(s); starting it again");
        context.daemons().restart(victim);
        long ready = System.nanoTime();
        context.say(Daemons.NODES.get(victim) + " ready again");
        kills.add(Daemons.NODES.get(victim) + " at " + context.at(killedAt) + " holding " + orphaned + " running row(s) (ready again "
            + seconds(ready - killedAt) + " later)");
        next += context.killInterval().toNanos();
      }
      sleepUntil(endNanos);
      long from = maxKills == 1 ? firstKill : endNanos; // one kill: timed from it; repeated: from the end of the phase
      return new Outcome(from, Math.max(endNanos, System.nanoTime()), kills.size() + " SIGKILL(s): " + String.join("; ", kills), List.of());
    }

    /**
     * Waits (at most until the deadline) until the node holds a running row: the publisher sends
     * every 50 ms and a batch of short tasks is done in less, so a kill at a random instant often
     * finds the node idle and tests nothing.
     */
    private void awaitHolding(String node, long deadline) throws InterruptedException {
      while (System.nanoTime() < deadline && !closed) {
        try {
          if (context.database().runningOn(node) > 0) {
            return;
          }
        } catch (SQLException e) {
          return; // kill anyway
        }
        TimeUnit.MILLISECONDS.sleep(5);
      }
    }
  }

  /** 6. BEGIN; SELECT txid_current(); held open for the phase. */
  static final class Xmin extends Stress {
    private volatile Connection connection;

    Xmin(Context context) {
      super(context);
    }

    @Override
    Outcome run(long startNanos, long endNanos) throws Exception {
      long deadBefore = context.database().deadTuples();
      connection = context.database().control();
      connection.setAutoCommit(false);
      long txid;
      try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery("SELECT txid_current()")) {
        row.next();
        txid = row.getLong(1);
      }
      context.say("transaction " + txid + " open, holding the xmin horizon");
      sleepUntil(endNanos);
      long deadAtEnd = context.database().deadTuples();
      long kept = context.database().vacuumAndCountDead();
      close();
      long afterRelease = context.database().vacuumAndCountDead();
      context.say("released; a VACUUM just before left " + kept + " dead tuples, one just after " + afterRelease);
      return new Outcome(endNanos, System.nanoTime(), "transaction " + txid + " held open for the phase (xmin horizon pinned)",
          List.of("dead tuples of the task table: " + deadBefore + " when the transaction began, " + deadAtEnd + " when the phase ended;"
              + " a VACUUM then, the transaction still open, could not remove " + kept + "; one right after it ended left " + afterRelease));
    }

    @Override
    public void close() {
      super.close();
      Connection held = connection;
      if (held != null) {
        try {
          held.rollback();
        } catch (SQLException ignored) {
          // closing anyway
        }
        closeQuietly(held);
      }
    }
  }

  /** 7. Publish at 1.5 x the baseline's completion rate for the phase. */
  static final class Overload extends Stress {
    Overload(Context context) {
      super(context);
    }

    @Override
    Outcome run(long startNanos, long endNanos) throws Exception {
      double normal = context.publisher().rate();
      double base = context.baselineRate() > 0 ? context.baselineRate() : normal;
      double overload = 1.5 * base;
      context.publisher().rate(overload);
      context.say(String.format(Locale.ROOT, "publishing at %.0f/s", overload));
      try {
        sleepUntil(endNanos);
      } finally {
        context.publisher().rate(normal);
      }
      return new Outcome(endNanos, System.nanoTime(), String.format(Locale.ROOT,
          "published at %.0f tasks/s (1.5 x the baseline's %.0f completions/s), then at %.0f/s again", overload, base, normal), List.of());
    }
  }

  /** 8. A few threads looping BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM the task table; pg_sleep(0.2); COMMIT. */
  static final class Readers extends Stress {
    static final double HOLD_SECONDS = 0.2;
    private final List<Connection> connections = new ArrayList<>(); // guarded by itself
    private final List<Thread> threads = new ArrayList<>();

    Readers(Context context) {
      super(context);
    }

    @Override
    Outcome run(long startNanos, long endNanos) throws Exception {
      AtomicLong scans = new AtomicLong();
      AtomicLong scanNanos = new AtomicLong();
      AtomicLong failures = new AtomicLong();
      for (int i = 0; i < context.readers(); i++) {
        threads.add(Thread.ofPlatform().name("chaos-reader-" + i).daemon(true).start(() -> read(endNanos, scans, scanNanos, failures)));
      }
      for (Thread thread : threads) {
        thread.join();
      }
      close();
      long count = Math.max(1, scans.get());
      return new Outcome(endNanos, System.nanoTime(), String.format(Locale.ROOT,
          "%d REPEATABLE READ readers: %d scans of the task table, %.1f ms each on average, each snapshot held %.1f s more",
          context.readers(), scans.get(), scanNanos.get() / 1e6 / count, HOLD_SECONDS),
          failures.get() == 0 ? List.of() : List.of(failures.get() + " reader transaction(s) failed"));
    }

    private void read(long endNanos, AtomicLong scans, AtomicLong scanNanos, AtomicLong failures) {
      Connection connection = null;
      while (System.nanoTime() < endNanos && !closed) {
        try {
          if (connection == null) {
            connection = context.database().connect(ChaosSchema.READER_APPLICATION, 60);
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            synchronized (connections) {
              connections.add(connection);
            }
          }
          try (Statement statement = connection.createStatement()) {
            long before = System.nanoTime();
            try (ResultSet row = statement.executeQuery("SELECT count(*) FROM " + ChaosSchema.TASKS)) {
              row.next();
            }
            scanNanos.addAndGet(System.nanoTime() - before);
            statement.execute("SELECT pg_sleep(" + HOLD_SECONDS + ")");
          }
          connection.commit();
          scans.incrementAndGet();
        } catch (SQLException e) {
          failures.incrementAndGet();
          closeQuietly(connection);
          connection = null;
        }
      }
      closeQuietly(connection);
    }

    @Override
    public void close() {
      super.close();
      synchronized (connections) {
        connections.forEach(Stress::closeQuietly);
        connections.clear();
      }
    }
  }
}
