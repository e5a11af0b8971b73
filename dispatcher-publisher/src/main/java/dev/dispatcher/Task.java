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
}
