package dev.dispatcher.tools.postgres;

import java.io.PrintWriter;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code postgres status}: whether the demo login works on the port and what kind of server
 * answers. Exit code 0 when it does, 3 when nothing listens (as LSB init scripts report "not
 * running"), 1 when something listens but rejects the demo login.
 */
@Command(
    name = "status",
    description = {
      "Tell whether a demo Postgres answers on the port, and which kind it is.",
      "Exit code: 0 running, 3 not running, 1 port taken by something else."
    })
public final class PostgresStatusCommand implements Callable<Integer> {

  static final int NOT_RUNNING = 3;

  @ParentCommand private PostgresCommand postgres;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    try {
      return status(spec.commandLine().getOut());
    } catch (DemoDatabaseException e) {
      spec.commandLine().getErr().println("postgres status failed: " + e.getMessage());
      return 1;
    }
  }

  private int status(PrintWriter out) {
    DemoEndpoint endpoint = postgres.endpoint();
    return switch (postgres.probe().probe(endpoint)) {
      case PostgresProbe.Ready ready -> {
        out.println(
            "PostgreSQL " + ready.serverVersion() + " accepts connections at "
                + endpoint.address() + "; kind: " + postgres.recordedKind() + ".");
        out.println(endpoint.url());
        yield 0;
      }
      case PostgresProbe.NothingListening ignored -> {
        out.println("No Postgres is running at " + endpoint.address() + staleNote() + ".");
        yield NOT_RUNNING;
      }
      case PostgresProbe.Rejected rejected -> {
        out.println(
            "Port " + endpoint.port() + " is in use, but the demo login fails: "
                + rejected.reason() + staleNote());
        yield 1;
      }
    };
  }

  /** Mentions an earlier start that the state directory still remembers. */
  private String staleNote() {
    StateDir state = postgres.stateDir();
    if (postgres.backgroundServer().running().isPresent()) {
      OptionalLong pid = state.readServerPid();
      return " (the embedded server pid " + pid.orElse(-1) + " recorded in " + state.dir()
          + " is running: still starting, or on another port; see " + state.logFile() + ")";
    }
    if (state.readServerPid().isPresent() || state.readContainer().isPresent()) {
      return " (" + state.dir() + " remembers an earlier start that is gone; `postgres stop`"
          + " clears it)";
    }
    return "";
  }
}
