package dev.dispatcher.service.storage;

import java.sql.SQLException;

/** Explains a table of ours that is missing although the schema history says its migration ran. */
final class MissingTable {

  private static final String UNDEFINED_TABLE = "42P01";

  private MissingTable() {}

  /** The failure as it was, or, when the table is missing, saying how to recover. */
  static SQLException explain(SQLException e, String table, SchemaMigrations migrations) {
    if (!UNDEFINED_TABLE.equals(e.getSQLState())) {
      return e;
    }
    return new SQLException("the table " + table + " is missing although the schema history (" + migrations.schema() + "."
        + SchemaMigrations.HISTORY_TABLE + ") says it was created; restore it, or drop schema " + migrations.schema()
        + " and start again (its rows are then lost): " + e.getMessage(), e.getSQLState(), e);
  }
}
