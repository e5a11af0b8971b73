package dev.dispatcher;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * What a {@link Task} annotation says about a method: its registered name and its defaults. The
 * daemon's registry and the publisher read annotations through this one place.
 *
 * @param name registered task name
 * @param channel default channel, or null for the publisher's default
 * @param timeoutSeconds default timeout; 0 for none
 * @param onDuplicate default duplicate policy
 * @param bind whether the method takes a {@link TaskContext} first
 * @param maxConcurrency runs of this task at once on one daemon; 0 for no limit
 */
public record TaskDefinition(
    String name, String channel, double timeoutSeconds, OnDuplicate onDuplicate, boolean bind, int maxConcurrency) {

  /** A definition without a concurrency limit. */
  public TaskDefinition(String name, String channel, double timeoutSeconds, OnDuplicate onDuplicate, boolean bind) {
    this(name, channel, timeoutSeconds, onDuplicate, bind, 0);
  }

  public TaskDefinition {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("task name must not be empty");
    }
    if (!(timeoutSeconds >= 0) || Double.isInfinite(timeoutSeconds)) {
      throw new IllegalArgumentException("task " + name + ": timeout must be a finite number >= 0, was " + timeoutSeconds);
    }
    if (maxConcurrency < 0) {
      throw new IllegalArgumentException("task " + name + ": maxConcurrency must be >= 0, was " + maxConcurrency);
    }
  }

  /** A task known only by name, e.g. one defined in a Python service. */
  public static TaskDefinition named(String name) {
    return new TaskDefinition(name, null, 0, OnDuplicate.PARALLEL, false);
  }

  /**
   * Reads the {@link Task} annotation of a method.
   *
   * @throws IllegalArgumentException naming the method when it is not annotated, or when a bound
   *     task's first parameter is not a {@link TaskContext}
   */
  public static TaskDefinition of(Method method) {
    Task task = method.getAnnotation(Task.class);
    if (task == null) {
      throw new IllegalArgumentException(describe(method) + " is not annotated with @Task");
    }
    if (task.bind() && (method.getParameterCount() == 0 || method.getParameterTypes()[0] != TaskContext.class)) {
      throw new IllegalArgumentException(describe(method) + " has @Task(bind = true) but its first parameter is not a TaskContext");
    }
    String name = task.name().isEmpty() ? defaultName(method) : task.name();
    String channel = task.channel().isEmpty() ? null : dev.dispatcher.wire.ChannelNames.check(task.channel());
    return new TaskDefinition(name, channel, task.timeout(), task.onDuplicate(), task.bind(), task.maxConcurrency());
  }

  /** {@code <fully.qualified.Class>.<method>}; nested classes keep their binary name ({@code Outer$Inner}). */
  public static String defaultName(Method method) {
    return method.getDeclaringClass().getName() + "." + method.getName();
  }

  /** {@code Class.method(params)} for messages. */
  public static String describe(Method method) {
    StringBuilder text = new StringBuilder(method.getDeclaringClass().getName()).append('.').append(method.getName()).append('(');
    Class<?>[] types = method.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      text.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
    }
    return text.append(')').append(Modifier.isStatic(method.getModifiers()) ? " [static]" : "").toString();
  }
}
