package dev.dispatcher.e2e.tasks;

import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import java.util.Map;

/** Tasks for the results tests: each returns (or fails with) something a waiter can check. Runs in the daemon. */
public final class ResultTasks {

  public static final String ECHO = "e2e.results.echo";
  public static final String FAIL = "e2e.results.fail";
  public static final String BIG = "e2e.results.big";
  public static final String NOTHING = "e2e.results.nothing";
  public static final String RECORDED = "e2e.results.recorded";
  public static final String RECORDED_FAIL = "e2e.results.recorded_fail";

  private ResultTasks() {}

  /** Its text back, with the node it ran on. */
  @Task(name = ECHO, durable = true, bind = true)
  public static Map<String, Object> echo(TaskContext context, String text) {
    return Map.of("echo", text, "node", context.nodeId());
  }

  /** Fails every attempt (two, at once one after the other). */
  @Task(name = FAIL, durable = true, maxAttempts = 2, backoff = 0)
  public static void fail(String why) {
    throw new IllegalStateException(why);
  }

  /** A string of this many x: a result of {@code length + 2} bytes of JSON. */
  @Task(name = BIG, durable = true)
  public static String big(int length) {
    return "x".repeat(length);
  }

  /** Returns nothing. */
  @Task(name = NOTHING, durable = true)
  public static void nothing() {}

  /** Fire-and-forget, recorded: its text back. */
  @Task(name = RECORDED, record = true)
  public static String recorded(String text) {
    return text;
  }

  /** Fire-and-forget, recorded: fails. */
  @Task(name = RECORDED_FAIL, record = true)
  public static void recordedFail(String why) {
    throw new IllegalArgumentException(why);
  }
}
