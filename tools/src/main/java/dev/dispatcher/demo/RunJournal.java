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
import javax.sql.DataSource;

/**
 * A hook that records every run in {@code dispatcher_runs} (uuid, task, node, channel, publish,
 * start and end times, status). The demo reads it for its summary and the end-to-end tests use
 * it to check that each task ran exactly once. Enable with {@code hooks: [dev.dispatcher.demo.RunJournal]}.
 */
public final class RunJournal implements DispatcherHook {

  private DataSource dataSource;

  @Override
  public void onStart(DispatcherInfo info) throws SQLException {
    this.dataSource = info.dataSource();
    try (Connection connection = dataSource.getConnection(); Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE IF NOT EXISTS dispatcher_runs (uuid text NOT NULL, task text NOT NULL,"
          + " node_id text, channel text, published_at timestamptz, started_at timestamptz NOT NULL,"
          + " finished_at timestamptz NOT NULL, status text NOT NULL, error text)");
      ddl.execute("CREATE INDEX IF NOT EXISTS dispatcher_runs_uuid ON dispatcher_runs (uuid)");
    }
  }

  @Override
  public void afterTask(TaskRun run, TaskOutcome outcome) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO dispatcher_runs"
            + " (uuid, task, node_id, channel, published_at, started_at, finished_at, status, error)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      double timePub = run.message().timePub();
      insert.setString(1, run.uuid());
      insert.setString(2, run.taskName());
      insert.setString(3, run.nodeId());
      insert.setString(4, run.message().channel());
      insert.setTimestamp(5, Double.isNaN(timePub) ? null : epochMicros(timePub));
      insert.setTimestamp(6, Timestamp.from(run.startedAt()));
      insert.setTimestamp(7, Timestamp.from(outcome.finishedAt()));
      insert.setString(8, outcome.status().name().toLowerCase(java.util.Locale.ROOT));
      insert.setString(9, outcome.error() == null ? null : outcome.error().toString());
      insert.executeUpdate();
    }
  }

  private static Timestamp epochMicros(double epochSeconds) {
    long micros = Math.round(epochSeconds * 1e6);
    Timestamp timestamp = new Timestamp(Math.floorDiv(micros, 1000));
    timestamp.setNanos((int) Math.floorMod(micros, 1_000_000) * 1000);
    return timestamp;
  }
}
