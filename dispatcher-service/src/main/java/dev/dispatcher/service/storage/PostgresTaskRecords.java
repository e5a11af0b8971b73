package dev.dispatcher.service.storage;

import dev.dispatcher.jdbc.TaskRecordQueries;
import dev.dispatcher.status.RequestPage;
import dev.dispatcher.status.RequestQuery;
import dev.dispatcher.status.TaskStatus;
import dev.dispatcher.wire.WireFormat;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/** {@link TaskRecords} on the table of migrations V3 to V6, with the publisher library's statements. */
final class PostgresTaskRecords implements TaskRecords {

  private static final int QUERY_TIMEOUT_SECONDS = 30;

  private final DataSource pool;
  private final SchemaMigrations migrations;
  private final TaskRecordQueries queries;

  PostgresTaskRecords(DataSource pool, SchemaMigrations migrations) {
    this.pool = pool;
    this.migrations = migrations;
    this.queries = new TaskRecordQueries(migrations.schema().value(), WireFormat.newObjectMapper());
  }

  @Override
  public Optional<TaskStatus> status(String uuid) throws SQLException {
    migrations.ensureMigratedForSql();
    try (Connection connection = pool.getConnection()) {
      return queries.status(connection, uuid, QUERY_TIMEOUT_SECONDS);
    } catch (SQLException e) {
      throw MissingTable.explain(e, migrations.schema().qualify(PostgresDurableTasks.TABLE), migrations);
    }
  }

  @Override
  public RequestPage requests(RequestQuery query) throws SQLException {
    migrations.ensureMigratedForSql();
    try (Connection connection = pool.getConnection()) {
      return queries.requests(connection, query, QUERY_TIMEOUT_SECONDS);
    } catch (SQLException e) {
      throw MissingTable.explain(e, migrations.schema().qualify(PostgresDurableTasks.TABLE), migrations);
    }
  }
}
