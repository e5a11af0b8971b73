package dev.dispatcher.tools.bench;

import dev.dispatcher.Task;

/** The benchmark's task: does nothing, so the measurement is the dispatcher's own cost. */
public final class BenchTasks {

  private BenchTasks() {}

  @Task
  public static void noop(long sequence) {
    // intentionally empty
  }
}
