package dev.dispatcher.tools.postgres;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code postgres serve}: runs the embedded Postgres in the foreground until SIGTERM or Ctrl-C.
 * Hidden: it is what {@code postgres start} runs in the background JVM. Its postmaster pid goes
 * to the state directory so that `stop` can still end Postgres if this JVM has to be killed.
 */
@Command(
    name = "serve",
    hidden = true,
    description = "Run the embedded Postgres in the foreground until SIGTERM (used by start).")
public final class PostgresServeCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(PostgresServeCommand.class);

  @ParentCommand private PostgresCommand postgres;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    DemoEndpoint endpoint = postgres.endpoint();
    StateDir state = postgres.stateDir();
    DemoDatabase database;
    try {
      database = DemoDatabase.startEmbedded(endpoint.port());
      database.postmasterPid().ifPresent(state::writePostmasterPid);
    } catch (DemoDatabaseException e) {
      // `start` quotes this line from the log, so it carries the prefix it looks for.
      spec.commandLine().getErr().println(BackgroundServer.FAILURE_PREFIX + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread shutdownHook =
        new Thread(() -> shutDown(database, state, stopped), "postgres-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    log.info("Serving the embedded Postgres at {} until SIGTERM", endpoint.url());
    try {
      // Only the shutdown hook ends this wait; on a signal the JVM exits once the hook is done.
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
      shutDown(database, state, stopped);
    }
    return 0;
  }

  private static void shutDown(DemoDatabase database, StateDir state, CountDownLatch stopped) {
    try {
      database.close();
      // Postgres is down: a later `stop` must not go looking for its postmaster.
      state.forgetPostmaster();
    } catch (DemoDatabaseException e) {
      log.error("Stopping the embedded Postgres failed: {}", e.getMessage());
    } finally {
      stopped.countDown();
    }
  }
}
