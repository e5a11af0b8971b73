package dev.dispatcher.jdbc;

import java.util.regex.Pattern;

/**
 * Checks the name of the daemon's schema ({@code database.schema}) by the daemon's own rule: a
 * plain lower-case identifier, so that it can be put in SQL text quoted with nothing to escape, and
 * means the same with or without the quotes.
 */
public final class SchemaNames {

  /** The daemon's default schema. */
  public static final String DEFAULT = "dispatcher";

  /** At most 63 characters (NAMEDATALEN - 1): Postgres would cut a longer name silently. */
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private SchemaNames() {}

  /**
   * Returns the name when the daemon would accept it as {@code database.schema}.
   *
   * @throws IllegalArgumentException saying what a name must be
   */
  public static String check(String schema) {
    if (schema == null || !IDENTIFIER.matcher(schema).matches() || schema.startsWith("pg_")) {
      throw new IllegalArgumentException("schema must be a lower-case identifier (a-z, 0-9 and _, not starting with a digit"
          + " or pg_, at most 63 characters), was " + (schema == null ? "null" : "'" + schema + "'"));
    }
    return schema;
  }
}
