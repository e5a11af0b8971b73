package dev.dispatcher.e2e.tasks;

import dev.dispatcher.Task;

/** Test tasks that the daemon loads from this module's test classes via --classpath. */
public final class AnnotatedTasks {

  /** The channel only this task's annotation names; publishers must honour it. */
  public static final String CHANNEL = "e2e_annotated_channel";

  private AnnotatedTasks() {}

  @Task(channel = CHANNEL)
  public static String ping() {
    return "pong";
  }
}
