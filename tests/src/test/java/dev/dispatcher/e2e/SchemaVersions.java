package dev.dispatcher.e2e;

import java.util.List;

/**
 * The daemon's schema versions, as its migrations number them; a new migration adds its version
 * here (and in the service's SchemaMigrationsTest).
 */
final class SchemaVersions {

  static final List<String> ALL = List.of("1", "2", "3", "4", "5", "6", "7");
  static final String LATEST = ALL.get(ALL.size() - 1);

  private SchemaVersions() {}
}
