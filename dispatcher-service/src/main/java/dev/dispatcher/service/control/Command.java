package dev.dispatcher.service.control;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The control commands the daemon answers, each marked read-only or acting. A command that changes
 * the daemon (or makes it do something) must be {@code acting}: only those are subject to
 * {@code control.allow} and to the signature check, so the mark is part of the security model.
 */
public enum Command {
  ALIVE("alive", false),
  /** The Python dispatcher's asyncio tasks; a JVM has none, so the reply is empty. */
  AIO_TASKS("aio_tasks", false),
  RUNNING("running", false),
  CANCEL("cancel", true),
  WORKERS("workers", false),
  PRODUCERS("producers", false),
  MAIN("main", false),
  CHUNKS("chunks", false),
  METRICS("metrics", false),
  STATUS("status", false),
  SET_LOG_LEVEL("set_log_level", true),
  RUN("run", true),
  /** Suspends a task type cluster-wide (not in the Python dispatcher). */
  SUSPEND("suspend", true),
  /** Resumes a suspended task type cluster-wide (not in the Python dispatcher). */
  RESUME("resume", true);

  private final String wireName;
  private final boolean acting;

  Command(String wireName, boolean acting) {
    this.wireName = wireName;
    this.acting = acting;
  }

  /** The name in {@code {"control": ...}}. */
  public String wireName() {
    return wireName;
  }

  /** True for a command that changes the daemon or makes it act; false for one that only reports. */
  public boolean acting() {
    return acting;
  }

  /** The command with this wire name, if there is one. */
  public static Optional<Command> of(String wireName) {
    for (Command command : values()) {
      if (command.wireName.equals(wireName)) {
        return Optional.of(command);
      }
    }
    return Optional.empty();
  }

  /** The wire names of the acting commands, the values {@code control.allow} may list. */
  public static List<String> actingNames() {
    return Arrays.stream(values()).filter(Command::acting).map(Command::wireName).toList();
  }

  /** Every wire name, in this order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(Command::wireName).toList();
  }
}
