package dev.dispatcher.tools.bench;

import dev.dispatcher.Task;

/**
 * The benchmark's tasks: they do nothing, so the measurement is the dispatcher's own cost; {@link
 * #noopResult} returns a small value, which a durable row keeps as its result.
 */
public final class BenchTasks {

  private BenchTasks() {}

  @Task
  public static void noop(long sequence) {
    // intentionally empty
  }

  @Task
  public static String noopResult(long sequence) {
    return "done " + sequence;
  }
}
