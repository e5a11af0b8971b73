package dev.dispatcher.demo;

import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.DispatcherInfo;
import dev.dispatcher.service.hooks.TaskOutcome;
import dev.dispatcher.service.hooks.TaskRun;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hook that records every run in {@code dispatcher_runs} (uuid, task, node, channel, publish,
 * start and end times, status). The demo reads it for its summary and the end-to-end tests use
 * it to check that each task ran exactly once. Enable with {@code hooks: [dev.dispatcher.demo.RunJournal]}.
 *
 * <p>Rows are queued by {@code afterTask} and written in batches by one writer thread, so a task
 * never waits for the journal; {@code onShutdown} writes what is left.
 */
public final class RunJournal implements DispatcherHook {

  private static final Logger log = LoggerFactory.getLogger(RunJournal.class);
  private static final int MAX_BATCH = 500;

  private record Row(TaskRun run, TaskOutcome outcome) {}

  private final LinkedBlockingQueue<Row> pending = new LinkedBlockingQueue<>();
  private DataSource dataSource;
  private Thread writer;
  private volatile boolean stopping;

  @Override
  public void onStart(DispatcherInfo info) throws SQLException {
    this.dataSource = info.dataSource();
    try (Connection connection = dataSource.getConnection(); Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE IF NOT EXISTS dispatcher_runs (uuid text NOT NULL, task text NOT NULL,"
          + " node_id text, channel text, published_at timestamptz, started_at timestamptz NOT NULL,"
          + " finished_at timestamptz NOT NULL, status text NOT NULL, error text)");
      ddl.execute("CREATE INDEX IF NOT EXISTS dispatcher_runs_uuid ON dispatcher_runs (uuid)");
    }
    writer = Thread.ofPlatform().name("run-journal").daemon(true).start(this::writeUntilStopped);
  }

  @Override
  public void afterTask(TaskRun run, TaskOutcome outcome) {
    pending.add(new Row(run, outcome));
  }

  @Override
  public void onShutdown() throws InterruptedException {
    stopping = true;
    if (writer != null) {
      writer.interrupt();
      writer.join();
    }
  }

  private void writeUntilStopped() {
    List<Row> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        batch.add(pending.take()); // waits for the next finished task
      } catch (InterruptedException e) {
        if (!stopping) {
          continue;
        }
      }
      pending.drainTo(batch, MAX_BATCH - batch.size());
      write(batch);
      if (stopping && pending.isEmpty()) {
        return;
      }
    }
  }

  private void write(List<Row> batch) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      insert(batch);
    } catch (SQLException first) {
      // A pooled connection can be broken by a database restart without the pool knowing yet; the
      // pool evicts it on this failure, so one retry gets a fresh connection.
      try {
        insert(batch);
      } catch (SQLException e) {
        insertOneByOne(batch);
      }
    } finally {
      batch.clear();
    }
  }

  /** After a failed batch: one row that Postgres refuses must not cost the journal the others. */
  private void insertOneByOne(List<Row> batch) {
    int failed = 0;
    SQLException firstError = null;
    String firstUuid = null;
    for (Row row : batch) {
      try {
        insert(List.of(row));
      } catch (SQLException e) {
        if (failed++ == 0) {
          firstError = e;
          firstUuid = storable(row.run().uuid());
        }
      }
    }
    if (failed > 0) {
      log.warn("run journal: could not record {} of {} run(s), first {}: {}", failed, batch.size(), firstUuid, firstError.getMessage());
    }
  }

  private void insert(List<Row> batch) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO dispatcher_runs"
            + " (uuid, task, node_id, channel, published_at, started_at, finished_at, status, error)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Row row : batch) {
        double timePub = row.run().message().timePub();
        insert.setString(1, storable(row.run().uuid()));
        insert.setString(2, storable(row.run().taskName()));
        insert.setString(3, storable(row.run().nodeId()));
        insert.setString(4, storable(row.run().message().channel()));
        insert.setTimestamp(5, plausible(timePub) ? epochMicros(timePub) : null);
        insert.setTimestamp(6, Timestamp.from(row.run().startedAt()));
        insert.setTimestamp(7, Timestamp.from(row.outcome().finishedAt()));
        insert.setString(8, row.outcome().status().name().toLowerCase(Locale.ROOT));
        insert.setString(9, row.outcome().error() == null ? null : storable(row.outcome().error().toString()));
        insert.addBatch();
      }
      insert.executeBatch(); // pgjdbc sends the batch in one round trip
    }
  }

  /**
   * The text with each NUL written as the six characters of its JSON escape: uuids and task names
   * come from the wire, and Postgres text cannot hold NUL, so one such run would fail the whole
   * batch with it (the adversarial suite found valid runs missing from the journal that way).
   */
  static String storable(String text) {
    return text == null || text.indexOf('\0') < 0 ? text : text.replace("\0", "\\u0000");
  }

  /** A time_pub from the wire that a timestamp column can hold: from 1970 to before the year 10000 (NaN fails both tests). */
  static boolean plausible(double epochSeconds) {
    return epochSeconds >= 0 && epochSeconds < 253_402_300_800.0;
  }

  private static Timestamp epochMicros(double epochSeconds) {
    long micros = Math.round(epochSeconds * 1e6);
    Timestamp timestamp = new Timestamp(Math.floorDiv(micros, 1000));
    timestamp.setNanos(Math.floorMod(micros, 1_000_000) * 1000);
    return timestamp;
  }
}
