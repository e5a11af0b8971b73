package dev.dispatcher.service.storage;

import java.util.regex.Pattern;

/**
 * The Postgres schema that holds the daemon's tables ({@code database.schema}, default
 * {@value #DEFAULT}). Only plain lower-case identifiers are accepted, so the name can be put in SQL
 * text quoted, with nothing in it to escape, and means the same with or without the quotes.
 *
 * @param value the name, checked
 */
public record SchemaName(String value) {

  public static final String DEFAULT = "dispatcher";

  /** Postgres's limit (NAMEDATALEN - 1); a longer name would be cut silently. */
  private static final int MAX_LENGTH = 63;
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

  /** @throws IllegalArgumentException saying what a name must be */
  public SchemaName {
    if (value == null || !IDENTIFIER.matcher(value).matches() || value.length() > MAX_LENGTH || value.startsWith("pg_")) {
      throw new IllegalArgumentException("must be a lower-case identifier (a-z, 0-9 and _, not starting with a digit or pg_,"
          + " at most " + MAX_LENGTH + " characters), was " + (value == null ? "null" : "'" + value + "'"));
    }
  }

  /** The same as the constructor, for reading: {@code SchemaName.of("dispatcher")}. */
  public static SchemaName of(String value) {
    return new SchemaName(value);
  }

  /** A table of this schema, as SQL text: {@code "dispatcher".schedule_ticks}. */
  String qualify(String table) {
    return "\"" + value + "\"." + table;
  }

  @Override
  public String toString() {
    return value;
  }
}
