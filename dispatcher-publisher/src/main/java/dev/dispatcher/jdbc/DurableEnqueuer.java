package dev.dispatcher.jdbc;

import dev.dispatcher.wire.DurableRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes durable tasks with the daemon's SQL API: {@code SELECT u FROM "<schema>".enqueue_many(?::jsonb) AS u},
 * one JSON array of every row, so a batch is one statement and one round trip, and each of its
 * channels is rung once. The function comes with the daemon's schema migrations.
 *
 * <pre>{@code
 * DurableEnqueuer enqueuer = new DurableEnqueuer("dispatcher");
 * enqueuer.enqueue(connection, rows, 10);
 * }</pre>
 */
public final class DurableEnqueuer {

  private final String schema;
  private final String sql;

  /** @throws IllegalArgumentException when the schema is not a name {@link SchemaNames} accepts */
  public DurableEnqueuer(String schema) {
    this.schema = SchemaNames.check(schema);
    // no quoting to do: SchemaNames admits nothing that needs it
    this.sql = "SELECT u FROM \"" + schema + "\".enqueue_many(?::jsonb) AS u";
  }

  public String schema() {
    return schema;
  }

  /**
   * Enqueues the rows on the given connection, inside whatever transaction it is in; the statement
   * is cancelled after {@code timeoutSeconds} ({@link PreparedStatement#setQueryTimeout}; 0: no
   * limit). A row that {@code on_duplicate} or an existing uuid keeps out is left out silently.
   */
  public void enqueue(Connection connection, List<DurableRow> rows, int timeoutSeconds) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, array(rows));
      if (timeoutSeconds > 0) {
        statement.setQueryTimeout(timeoutSeconds);
      }
      statement.executeQuery().close(); // the uuids that went in: the caller already knows each submission's
    }
  }

  /**
   * As {@link #enqueue}, returning what {@code enqueue_many} answered, in order: the uuid of each
   * row that went in and, for a row the result cache answered ({@link DurableRow#cacheLookup()}),
   * the cached row's uuid; nothing for a row that {@code on_duplicate} or an existing uuid kept out.
   */
  public List<String> enqueueAnswered(Connection connection, List<DurableRow> rows, int timeoutSeconds) throws SQLException {
    if (rows.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, array(rows));
      if (timeoutSeconds > 0) {
        statement.setQueryTimeout(timeoutSeconds);
      }
      List<String> answers = new ArrayList<>(rows.size());
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          answers.add(result.getString(1));
        }
      }
      return answers;
    }
  }

  private static String array(List<DurableRow> rows) {
    int length = rows.size() + 1;
    for (DurableRow row : rows) {
      length += row.json().length();
    }
    StringBuilder json = new StringBuilder(length).append('[');
    for (int i = 0; i < rows.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append(rows.get(i).json());
    }
    return json.append(']').toString();
  }
}
