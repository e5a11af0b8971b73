package dev.dispatcher.tools.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** Ends a process politely (SIGTERM), and forcibly (SIGKILL) when it does not end in time. */
final class ProcessTerminator {

  /** How a process ended. */
  enum Outcome {
    /** It exited within the grace period. */
    EXITED,
    /** It had to be killed. */
    KILLED
  }

  private static final Duration AFTER_KILL = Duration.ofSeconds(10);

  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private final Duration grace;

  ProcessTerminator(Duration grace) {
    this.grace = grace;
  }

  /**
   * Whether the process still runs. A zombie does not: it has exited and only waits for its
   * parent (init, for our detached server) to reap it, which some container inits never do.
   */
  static boolean isRunning(ProcessHandle process) {
    return process.isAlive() && !isZombie(process.pid());
  }

  Outcome terminate(ProcessHandle process) {
    process.destroy();
    if (awaitExit(process, grace)) {
      return Outcome.EXITED;
    }
    process.destroyForcibly();
    if (!awaitExit(process, AFTER_KILL)) {
      throw new DemoDatabaseException(
          "process " + process.pid() + " is still alive " + AFTER_KILL.toSeconds()
              + "s after SIGKILL");
    }
    return Outcome.KILLED;
  }

  /** Polls rather than using onExit(): that one waits for the reaping, see isRunning. */
  private static boolean awaitExit(ProcessHandle process, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (isRunning(process)) {
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      try {
        Thread.sleep(POLL_INTERVAL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DemoDatabaseException(
            "interrupted while waiting for process " + process.pid() + " to exit", e);
      }
    }
    return true;
  }

  /** Reads the state letter from /proc/PID/stat ("Z" for zombie); false where there is no /proc. */
  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // "PID (COMMAND) STATE ...": COMMAND may contain spaces and ')', so cut at the last ')'.
      String afterCommand = stat.substring(stat.lastIndexOf(')') + 1).strip();
      return afterCommand.startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
