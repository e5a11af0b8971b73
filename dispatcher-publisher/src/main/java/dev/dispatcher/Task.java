package dev.dispatcher;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method the daemon may run. The method is either {@code static} or belongs to a class
 * with a no-argument constructor (the daemon creates one instance per class).
 *
 * <pre>{@code
 * public final class EmailTasks {
 *   @Task(channel = "email", timeout = 30)
 *   public static void send(String to, String subject) { ... }
 *
 *   @Task(name = "app.tasks.send_email")   // the name a Python publisher uses
 *   public static void sendFromPython(String to) { ... }
 * }
 * }</pre>
 *
 * <p>Arguments arrive as JSON: positional {@code args} bind in order, {@code kwargs} bind by
 * parameter name (compile with {@code -parameters}); values are converted to the parameter types.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Task {

  /** Registered name; empty means {@code <fully.qualified.Class>.<method>}. */
  String name() default "";

  /** Channel the task is published on by default; empty means the publisher's default channel. */
  String channel() default "";

  /** Seconds the task may run, counted from its start; 0 means no limit. */
  double timeout() default 0;

  /** What the daemon does with a duplicate submission (same task, args and kwargs). */
  OnDuplicate onDuplicate() default OnDuplicate.PARALLEL;

  /**
   * When true the method's first parameter is a {@link TaskContext}: the daemon passes the
   * running submission's uuid, message and node id, and ways to publish follow-up tasks and to
   * cancel work.
   */
  boolean bind() default false;

  /**
   * At most this many runs of this task at once on one daemon (0: no limit beyond the pool's).
   * Further submissions wait in arrival order; other tasks may start meanwhile.
   */
  int maxConcurrency() default 0;

  /**
   * When true a submission is durable: instead of a notification, it is written as a row of the
   * daemon's task table ({@code <schema>.tasks}) and a notification on its channel only wakes the
   * daemons listening there. The row waits, through restarts and while no daemon runs, until a
   * daemon that has this task claims it; that daemon runs it and has it retried after a failure
   * (see {@link #maxAttempts()}, {@link RetryAfter}, {@link DoNotRetry}). Inside {@code
   * publisher.inTransaction(connection)} the row is written by the caller's transaction: a rollback
   * leaves nothing behind. A submission can override this with {@code
   * SubmitOptions.builder().durable(...)}. A durable submission cannot be {@link OnDuplicate#SERIAL},
   * and its timeout is at most 7 days.
   *
   * <pre>{@code
   * @Task(channel = "billing", durable = true, maxAttempts = 5, backoff = 10, priority = 1)
   * public static void charge(long orderId) { ... }
   * }</pre>
   */
  boolean durable() default false;

  /**
   * Durable submissions only: how many times the daemon runs the task before it gives up on it;
   * after the last failed attempt the row stays as {@code failed} (the dead letter). From 1 to
   * 1000; default 10.
   */
  int maxAttempts() default 10;

  /**
   * Durable submissions only: seconds the daemon waits before the first retry; each further retry
   * waits twice as long as the one before (2, 4, 8 … s by default), up to {@link #maxBackoff()}, each
   * wait varied by up to 10% so that tasks failing together do not return together. A task that
   * throws {@link RetryAfter} sets its own wait. From 0 to 86400 (a day); default 2.
   */
  double backoff() default 2;

  /**
   * Durable submissions only: the longest wait between two attempts, in seconds. From 0 to 2592000
   * (30 days); default 3600.
   */
  double maxBackoff() default 3600;

  /**
   * Durable submissions only: among the rows due on a channel, the daemon claims those of higher
   * priority first, then those due earliest. Any int; default 0.
   */
  int priority() default 0;

  /**
   * Fire-and-forget submissions only: when true, the daemon records how each run ended as a
   * finished row of its task table ({@code completed}, {@code failed} or {@code cancelled}, with the
   * result or the error), so that {@code publisher.status(uuid)} and a {@code TaskHandle} see it as
   * they see a durable task's, also for messages a Python publisher sent. The rows are written in
   * batches, off the task's thread, and deleted like durable ones after {@code
   * durable.completed_retention} ({@code failed_retention} for failed ones). Durable tasks always
   * have their row.
   */
  boolean record() default false;

  /**
   * Durable tasks only: the result cache. A submission whose task, args and kwargs are those of a
   * row that completed at most this long ago, and whose result was kept, is not run: it is answered
   * by that row ({@code delay(...)} returns its uuid, {@code submit(...)} a handle on it that says
   * {@link dev.dispatcher.status.TaskHandle#cached()} and has its result at once). A duration as the
   * daemon's configuration writes one: {@code "600"} (seconds), {@code "30s"}, {@code "10m"},
   * {@code "1h"}, {@code "7d"}, at most a year; empty (the default) for no cache. Rows are still
   * deleted after {@code durable.completed_retention}, so the cache lasts at most that long. A
   * submission can set its own ({@code SubmitOptions.builder().cacheFor(...)}, {@link
   * java.time.Duration#ZERO} to run anyway). A cache is not a lock: two submissions that miss at
   * the same time both run ({@link #onDuplicate()} {@code DISCARD} keeps a second one out while the
   * first waits or runs).
   *
   * <pre>{@code
   * @Task(durable = true, cacheFor = "10m")
   * public static Quote quote(String symbol) { ... }
   * }</pre>
   */
  String cacheFor() default "";
}
