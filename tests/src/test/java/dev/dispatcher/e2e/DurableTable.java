package dev.dispatcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.e2e.tasks.DurableTestTasks;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.storage.SchemaMigrations;
import dev.dispatcher.service.storage.SchemaName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable side of the test database: enqueues through the SQL API ({@code dispatcher.enqueue},
 * {@code dispatcher.enqueue_many}), reads {@code dispatcher.tasks} and the runs the
 * {@link DurableTestTasks} record. Tests share the database and keep apart by channel.
 */
final class DurableTable {

  /** Durable settings that keep the tests quick: a killed node's rows are back in about 2.5 s. */
  static final String FAST = "durable:\n  poll_interval: 200ms\n  lease: 2s\n  heartbeat_interval: 500ms\n  rescue_interval: 500ms\n";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestDatabase database;

  /** Migrates the schema (as a daemon does at start, so rows can be enqueued before any runs) and creates the runs table. */
  DurableTable(TestDatabase database) throws SQLException {
    this.database = database;
    SchemaMigrations.at(DatabaseUrl.parse(database.url()), SchemaName.of("dispatcher")).migrate();
    try (Connection connection = database.connect(); Statement ddl = connection.createStatement()) {
      ddl.execute(DurableTestTasks.DDL);
    }
  }

  /** One row of {@code dispatcher.tasks}. */
  record Row(String uuid, String task, String channel, String state, int attempt, int maxAttempts, Instant runAt, Instant attemptedAt,
      Instant finishedAt, String attemptedBy, JsonNode errors, JsonNode result) {

    /** The errors entries that say the lease expired. */
    List<JsonNode> leaseExpiries() {
      List<JsonNode> expiries = new ArrayList<>();
      errors.forEach(error -> {
        if (error.path("error").asText().startsWith("lease expired")) {
          expiries.add(error);
        }
      });
      return expiries;
    }
  }

  /** One run, as the test task recorded it when it started. */
  record Run(String uuid, String nodeId, int attempt, Instant startedAt) {}

  /** A task object for {@link #enqueueMany}: task, channel, args, and the options (delay, max_attempts, ...). */
  static ObjectNode task(String task, String channel, List<?> args, Map<String, ?> options) {
    ObjectNode object = JSON.valueToTree(options);
    object.put("task", task);
    object.put("channel", channel);
    object.set("args", JSON.valueToTree(args));
    return object;
  }

  /** {@code dispatcher.enqueue(task, channel, args, '{}', options)} on this connection (in its transaction, if any); the uuid. */
  static String enqueue(Connection connection, String task, String channel, List<?> args, Map<String, ?> options) throws SQLException {
    try (PreparedStatement enqueue = connection.prepareStatement("SELECT dispatcher.enqueue(?, ?, ?::jsonb, '{}'::jsonb, ?::jsonb)")) {
      enqueue.setString(1, task);
      enqueue.setString(2, channel);
      enqueue.setString(3, JSON.valueToTree(args).toString());
      enqueue.setString(4, JSON.valueToTree(options).toString());
      try (ResultSet row = enqueue.executeQuery()) {
        row.next();
        return row.getString(1);
      }
    }
  }

  String enqueue(String task, String channel, List<?> args, Map<String, ?> options) throws SQLException {
    try (Connection connection = database.connect()) {
      return enqueue(connection, task, channel, args, options);
    }
  }

  /** One {@code dispatcher.enqueue_many} of these task objects; the uuids in order. */
  List<String> enqueueMany(List<ObjectNode> tasks) throws SQLException {
    ArrayNode batch = JSON.createArrayNode().addAll(tasks);
    List<String> uuids = new ArrayList<>(tasks.size());
    try (Connection connection = database.connect();
        PreparedStatement enqueue = connection.prepareStatement("SELECT * FROM dispatcher.enqueue_many(?::jsonb)")) {
      enqueue.setString(1, batch.toString());
      try (ResultSet rows = enqueue.executeQuery()) {
        while (rows.next()) {
          uuids.add(rows.getString(1));
        }
      }
    }
    return uuids;
  }

  /** {@code count} tasks of one kind in one enqueue_many; the uuids. */
  List<String> enqueueMany(String task, String channel, int count, List<?> args, Map<String, ?> options) throws SQLException {
    List<ObjectNode> tasks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      tasks.add(task(task, channel, args, options));
    }
    return enqueueMany(tasks);
  }

  /** The channel's rows by state (states without rows absent). */
  Map<String, Integer> states(String channel) throws SQLException {
    Map<String, Integer> states = new HashMap<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT state, count(*) FROM dispatcher.tasks WHERE channel = ? GROUP BY state")) {
      query.setString(1, channel);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          states.put(rows.getString(1), rows.getInt(2));
        }
      }
    }
    return states;
  }

  int count(String channel, String state) throws SQLException {
    return states(channel).getOrDefault(state, 0);
  }

  /** Rows of the channel that this node holds (state running, attempted by it). */
  int held(String channel, String nodeId) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT count(*) FROM dispatcher.tasks WHERE channel = ? AND state = 'running' AND attempted_by = ?")) {
      query.setString(1, channel);
      query.setString(2, nodeId);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  /** The row of this uuid, or null. */
  Row row(String uuid) throws SQLException {
    List<Row> rows = select("uuid = ?::uuid", uuid);
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** The channel's rows by uuid. */
  Map<String, Row> rows(String channel) throws SQLException {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (Row row : select("channel = ?", channel)) {
      rows.put(row.uuid(), row);
    }
    return rows;
  }

  private List<Row> select(String condition, String value) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT uuid, task, channel, state, attempt, max_attempts, run_at, attempted_at,"
            + " finished_at, attempted_by, errors::text, result::text FROM dispatcher.tasks WHERE " + condition + " ORDER BY id")) {
      query.setString(1, value);
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          rows.add(new Row(result.getString(1), result.getString(2), result.getString(3), result.getString(4), result.getInt(5),
              result.getInt(6), instant(result.getTimestamp(7)), instant(result.getTimestamp(8)), instant(result.getTimestamp(9)),
              result.getString(10), json(result.getString(11)), json(result.getString(12))));
        }
      }
    }
    return rows;
  }

  /** The recorded runs of the channel, in start order. */
  List<Run> runs(String channel) throws SQLException {
    return runs("channel = ?", channel);
  }

  /** The recorded runs of this uuid, in start order. */
  List<Run> runsOf(String uuid) throws SQLException {
    return runs("uuid = ?", uuid);
  }

  /** How many runs the channel's uuids have, by uuid. */
  Map<String, Integer> runCounts(String channel) throws SQLException {
    Map<String, Integer> counts = new HashMap<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT uuid, count(*) FROM " + DurableTestTasks.TABLE
            + " WHERE channel = ? GROUP BY uuid")) {
      query.setString(1, channel);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          counts.put(rows.getString(1), rows.getInt(2));
        }
      }
    }
    return counts;
  }

  /** Runs recorded on the channel so far. */
  int runCount(String channel) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM " + DurableTestTasks.TABLE + " WHERE channel = ?")) {
      query.setString(1, channel);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  private List<Run> runs(String condition, String value) throws SQLException {
    List<Run> runs = new ArrayList<>();
    try (Connection connection = database.connect();
        PreparedStatement query = connection.prepareStatement("SELECT uuid, node_id, attempt, started_at FROM " + DurableTestTasks.TABLE
            + " WHERE " + condition + " ORDER BY started_at")) {
      query.setString(1, value);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          runs.add(new Run(rows.getString(1), rows.getString(2), rows.getInt(3), rows.getTimestamp(4).toInstant()));
        }
      }
    }
    return runs;
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }

  private static JsonNode json(String text) {
    try {
      return text == null ? null : JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("not JSON from a jsonb column: " + text, e);
    }
  }
}
