package dev.dispatcher.tools;

import dev.dispatcher.tools.bench.BenchCommand;
import dev.dispatcher.tools.demo.DemoCommand;
import dev.dispatcher.tools.demo.WriteMessagesCommand;
import dev.dispatcher.tools.postgres.PostgresCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code dispatcher-tools.jar}: the demo, the benchmark and the demo database. */
@Command(
    name = "dispatcher-tools",
    mixinStandardHelpOptions = true,
    versionProvider = ToolsVersion.class,
    description = "Demo and benchmark tools for dispatcher.",
    subcommands = {
      WriteMessagesCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      PostgresCommand.class,
      dev.dispatcher.tools.chaos.ChaosCommand.class,
      dev.dispatcher.tools.sustained.SustainedCommand.class,
      CommandLine.HelpCommand.class
    })
public final class DispatcherTools {

  public static void main(String[] args) {
    System.exit(new CommandLine(new DispatcherTools()).execute(args));
  }
}
