package dev.dispatcher.service.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Suspensions in {@code <schema>.}{@value #TABLE}. A suspension is an {@code INSERT … ON CONFLICT
 * DO NOTHING} guarded by the table's size, so two daemons suspending at once agree and the set
 * stays bounded; a resume is a {@code DELETE}.
 */
final class PostgresSuspendedTasks implements SuspendedTasks {

  static final String TABLE = "suspended_tasks";
  private static final int QUERY_TIMEOUT_SECONDS = 10;

  private final DataSource pool;
  private final SchemaMigrations migrations;
  private final String table;

  PostgresSuspendedTasks(DataSource pool, SchemaMigrations migrations) {
    this.pool = pool;
    this.migrations = migrations;
    this.table = migrations.schema().qualify(TABLE);
  }

  @Override
  public Set<String> suspended() throws SQLException {
    migrations.ensureMigratedForSql();
    try (Connection connection = pool.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT task FROM " + table + " LIMIT " + MAX_SUSPENDED)) {
      select.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      Set<String> names = new HashSet<>();
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          names.add(result.getString(1));
        }
      }
      return names;
    } catch (SQLException e) {
      throw MissingTable.explain(e, table, migrations);
    }
  }

  @Override
  public boolean suspend(String task, String by) throws SQLException {
    migrations.ensureMigratedForSql();
    try (Connection connection = pool.getConnection(); PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO " + table + " (task, suspended_by) SELECT ?, ? WHERE (SELECT count(*) FROM " + table + ") < " + MAX_SUSPENDED
            + " OR EXISTS (SELECT 1 FROM " + table + " WHERE task = ?) ON CONFLICT (task) DO NOTHING RETURNING task");
        PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM " + table + " WHERE task = ?")) {
      insert.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      insert.setString(1, task);
      insert.setString(2, by);
      insert.setString(3, task);
      try (ResultSet result = insert.executeQuery()) {
        if (result.next()) {
          return true;
        }
      }
      exists.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      exists.setString(1, task);
      try (ResultSet result = exists.executeQuery()) {
        if (result.next()) {
          return false; // suspended already
        }
      }
      throw new SQLException("cannot suspend " + task + ": " + MAX_SUSPENDED + " task types are suspended already (resume some first)",
          "54000");
    } catch (SQLException e) {
      throw MissingTable.explain(e, table, migrations);
    }
  }

  @Override
  public boolean resume(String task) throws SQLException {
    migrations.ensureMigratedForSql();
    try (Connection connection = pool.getConnection();
        PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE task = ?")) {
      delete.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      delete.setString(1, task);
      return delete.executeUpdate() == 1;
    } catch (SQLException e) {
      throw MissingTable.explain(e, table, migrations);
    }
  }
}
