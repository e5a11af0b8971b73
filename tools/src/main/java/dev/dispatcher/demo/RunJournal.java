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
  /** The years 1 to 9999: a time_pub outside them (the publisher's word) is recorded as unknown. */
  private static final double MIN_EPOCH_SECONDS = -62_135_596_800d;
  private static final double MAX_EPOCH_SECONDS = 253_402_300_799d;

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
        log.warn("run journal: could not record {} run(s), first {}: {}", batch.size(), batch.get(0).run().uuid(), e.getMessage());
      }
    } finally {
      batch.clear();
    }
  }

  private void insert(List<Row> batch) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO dispatcher_runs"
            + " (uuid, task, node_id, channel, published_at, started_at, finished_at, status, error)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Row row : batch) {
        double timePub = row.run().message().timePub();
        insert.setString(1, row.run().uuid());
        insert.setString(2, row.run().taskName());
        insert.setString(3, row.run().nodeId());
        insert.setString(4, row.run().message().channel());
        // NaN fails both tests; a timestamp Postgres cannot hold would fail the whole batch
        insert.setTimestamp(5, timePub >= MIN_EPOCH_SECONDS && timePub <= MAX_EPOCH_SECONDS ? epochMicros(timePub) : null);
        insert.setTimestamp(6, Timestamp.from(row.run().startedAt()));
        insert.setTimestamp(7, Timestamp.from(row.outcome().finishedAt()));
        insert.setString(8, row.outcome().status().name().toLowerCase(Locale.ROOT));
        insert.setString(9, row.outcome().error() == null ? null : row.outcome().error().toString());
        insert.addBatch();
      }
      insert.executeBatch(); // pgjdbc sends the batch in one round trip
    }
  }

  private static Timestamp epochMicros(double epochSeconds) {
    long micros = Math.round(epochSeconds * 1e6);
    Timestamp timestamp = new Timestamp(Math.floorDiv(micros, 1000));
    timestamp.setNanos((int) Math.floorMod(micros, 1_000_000) * 1000);
    return timestamp;
  }
}
