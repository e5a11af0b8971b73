package dev.dispatcher.e2e.tasks;

import dev.dispatcher.Task;
import java.util.ArrayList;
import java.util.List;

/** A task that exhausts the daemon's heap, for the test that the daemon exits on OutOfMemoryError. */
public final class MemoryTasks {

  private MemoryTasks() {}

  /** Holds on to ever more memory until the heap is exhausted; never returns normally. */
  @Task
  public static int exhaustHeap() {
    List<long[]> held = new ArrayList<>();
    while (true) {
      held.add(new long[1 << 20]); // 8 MiB each, all reachable
    }
  }
}
