package dev.dispatcher.service.cli;

import dev.dispatcher.service.config.ConfigException;
import dev.dispatcher.service.config.ConfigLoader;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.storage.MigrationReport;
import dev.dispatcher.service.storage.SchemaMigrations;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.storage.StorageException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dispatcher-standalone migrate}: brings the daemon's schema up to date, as the daemon does
 * at start, and exits. Exit status: 0 when the schema is up to date (migrated now or already), 1
 * for a database error (unreachable, not permitted, a failed migration), 2 for a configuration
 * error (the message names the key).
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {"Brings the daemon's schema (database.schema, default dispatcher) up to date.",
        "The daemon does the same at start. Run this ahead of a deployment, or as a",
        "user who may create the schema when the daemon's user may not: the first",
        "migration needs CREATE on the database.",
        ""},
    footer = {"", "Environment: DISPATCHER_CONFIG (default config file), DISPATCHER_DATABASE_URL,",
        "DISPATCHER_DATABASE_PASSWORD.",
        "Exit status: 0 up to date (migrated now or already), 1 database error, 2 configuration error."})
public final class MigrateCommand implements Callable<Integer> {

  static final int EXIT_OK = 0;
  static final int EXIT_DATABASE = 1;
  static final int EXIT_CONFIG = 2;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file for database.url and database.schema (default: $DISPATCHER_CONFIG, else ./dispatcher.yml).")
  private Path config;

  @Spec
  private CommandSpec spec;

  private final Map<String, String> environment;

  /** The command as {@code dispatcher-standalone migrate} runs it, with the real environment. */
  public MigrateCommand() {
    this(System.getenv());
  }

  MigrateCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DispatcherConfig.Database database;
    try {
      database = new ConfigLoader(environment).load(ConfigLoader.configFile(config, environment)).database();
    } catch (ConfigException e) {
      err.println("config error: " + e.getMessage());
      err.flush();
      return EXIT_CONFIG;
    }
    try {
      MigrationReport report = SchemaMigrations.at(database.url(), SchemaName.of(database.schema())).migrate();
      out.println(report.describe());
      out.flush();
      return EXIT_OK;
    } catch (StorageException e) {
      err.println("database error: " + e.getMessage());
      err.flush();
      return EXIT_DATABASE;
    }
  }
}
