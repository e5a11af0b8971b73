package dev.dispatcher.e2e.tasks;

import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import dev.dispatcher.demo.DemoTasks;
import java.time.Duration;
import java.util.List;

/** Tasks for the dispatch-semantics tests, loaded by the daemon from this module's test classes. */
public final class SemanticsTasks {

  private SemanticsTasks() {}

  /** At most two at once on a daemon. */
  @Task(maxConcurrency = 2)
  public static void limited(double seconds) throws InterruptedException {
    Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
  }

  /** Cancels by uuid through the context, as the control command will. */
  @Task(bind = true)
  public static List<String> cancel(TaskContext context, String uuid) {
    return context.cancel(uuid, null);
  }

  /** Ignores interrupts until its time is up: a task that keeps its slot past its timeout. */
  @Task
  public static void stubborn(double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      Thread.onSpinWait(); // busy on purpose: an interrupt does not stop it
    }
  }

  /** Its timeout comes from the annotation. */
  @Task(timeout = 0.2)
  public static void sleepWithDefaultTimeout(double seconds) throws InterruptedException {
    Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
  }

  /** Asks this daemon, through a local control command, where this very task is; returns the keys. */
  @Task(bind = true)
  public static String whereAmI(TaskContext context) {
    return String.join(",", context.control("running", java.util.Map.of("uuid", context.uuid())).keySet());
  }

  /** A control command the daemon does not have: the task fails with the reason. */
  @Task(bind = true)
  public static void unknownControl(TaskContext context) {
    context.control("reboot", java.util.Map.of());
  }

  /** Publishes a follow-up task through the context's publisher; returns its uuid. */
  @Task(bind = true)
  public static String publishFollowUp(TaskContext context) {
    return context.publisher().task(DemoTasks::hello).delay();
  }
}
