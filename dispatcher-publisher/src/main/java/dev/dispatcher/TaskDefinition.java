package dev.dispatcher;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * What a {@link Task} annotation says about a method: its registered name and its defaults. The
 * daemon's registry and the publisher read annotations through this one place.
 *
 * <pre>{@code
 * TaskDefinition send = TaskDefinition.of(EmailTasks.class.getMethod("send", String.class));
 * TaskDefinition python = TaskDefinition.named("app.tasks.resize");   // the defaults, fire-and-forget
 * }</pre>
 *
 * @param name registered task name
 * @param channel default channel, or null for the publisher's default
 * @param timeoutSeconds default timeout; 0 for none
 * @param onDuplicate default duplicate policy
 * @param bind whether the method takes a {@link TaskContext} first
 * @param maxConcurrency runs of this task at once on one daemon; 0 for no limit
 * @param durable whether submissions are durable by default ({@link Task#durable()})
 * @param priority durable submissions: higher is claimed first ({@link Task#priority()})
 * @param maxAttempts durable submissions: runs before the task fails for good, 1 to 1000
 * @param backoffSeconds durable submissions: wait before the first retry, doubled for each next
 *     one, 0 to 86400
 * @param maxBackoffSeconds durable submissions: the longest wait between attempts, 0 to 2592000
 * @param record fire-and-forget submissions: the daemon records each run's outcome as a finished row
 *     ({@link Task#record()})
 * @param cacheForSeconds durable submissions: how old a completed result may be to answer a
 *     submission of the same task and arguments instead of a run ({@link Task#cacheFor()}); 0 for
 *     no cache, at most a year
 */
public record TaskDefinition(
    String name, String channel, double timeoutSeconds, OnDuplicate onDuplicate, boolean bind, int maxConcurrency,
    boolean durable, int priority, int maxAttempts, double backoffSeconds, double maxBackoffSeconds, boolean record,
    double cacheForSeconds) {

  /** {@link Task#maxAttempts()}'s default. */
  public static final int DEFAULT_MAX_ATTEMPTS = 10;
  /** {@link Task#backoff()}'s default, in seconds. */
  public static final double DEFAULT_BACKOFF_SECONDS = 2;
  /** {@link Task#maxBackoff()}'s default, in seconds. */
  public static final double DEFAULT_MAX_BACKOFF_SECONDS = 3600;
  // The limits are the task table's CHECK constraints: refused here, a bad value never reaches the database.
  /** The most attempts a durable task may have. */
  public static final int MAX_ATTEMPTS_LIMIT = 1000;
  /** The longest first backoff, a day. */
  public static final double BACKOFF_LIMIT_SECONDS = 86_400;
  /** The longest {@code maxBackoff}, 30 days. */
  public static final double MAX_BACKOFF_LIMIT_SECONDS = 2_592_000;
  /** The longest timeout of a durable task, 7 days. */
  public static final double DURABLE_TIMEOUT_LIMIT_SECONDS = 604_800;
  /** The longest {@code cacheFor}, a year (the SQL API's limit for {@code cache_for}). */
  public static final double CACHE_FOR_LIMIT_SECONDS = 31_536_000;

  /** A fire-and-forget definition with the durable defaults and no concurrency limit. */
  public TaskDefinition(String name, String channel, double timeoutSeconds, OnDuplicate onDuplicate, boolean bind) {
    this(name, channel, timeoutSeconds, onDuplicate, bind, 0);
  }

  /** A fire-and-forget definition with the durable defaults. */
  public TaskDefinition(
      String name, String channel, double timeoutSeconds, OnDuplicate onDuplicate, boolean bind, int maxConcurrency) {
    this(name, channel, timeoutSeconds, onDuplicate, bind, maxConcurrency, false, 0, DEFAULT_MAX_ATTEMPTS,
        DEFAULT_BACKOFF_SECONDS, DEFAULT_MAX_BACKOFF_SECONDS);
  }

  /** A definition whose fire-and-forget runs are not recorded. */
  public TaskDefinition(String name, String channel, double timeoutSeconds, OnDuplicate onDuplicate, boolean bind, int maxConcurrency,
      boolean durable, int priority, int maxAttempts, double backoffSeconds, double maxBackoffSeconds) {
    this(name, channel, timeoutSeconds, onDuplicate, bind, maxConcurrency, durable, priority, maxAttempts, backoffSeconds,
        maxBackoffSeconds, false);
  }

  /** A definition without a result cache. */
  public TaskDefinition(String name, String channel, double timeoutSeconds, OnDuplicate onDuplicate, boolean bind, int maxConcurrency,
      boolean durable, int priority, int maxAttempts, double backoffSeconds, double maxBackoffSeconds, boolean record) {
    this(name, channel, timeoutSeconds, onDuplicate, bind, maxConcurrency, durable, priority, maxAttempts, backoffSeconds,
        maxBackoffSeconds, record, 0);
  }

  /**
   * @throws IllegalArgumentException naming the task and the value when a value is out of its
   *     range, when a durable task's default duplicate policy is {@link OnDuplicate#SERIAL} or its
   *     timeout is past 7 days, or when a task that is not durable has a result cache
   */
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
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
      throw new IllegalArgumentException("task " + name + ": maxAttempts must be from 1 to " + MAX_ATTEMPTS_LIMIT
          + ", was " + maxAttempts);
    }
    checkSeconds(name, "backoff", backoffSeconds, BACKOFF_LIMIT_SECONDS);
    checkSeconds(name, "maxBackoff", maxBackoffSeconds, MAX_BACKOFF_LIMIT_SECONDS);
    checkSeconds(name, "cacheFor", cacheForSeconds, CACHE_FOR_LIMIT_SECONDS);
    if (durable) {
      checkDurable(name, timeoutSeconds, onDuplicate);
    } else if (cacheForSeconds > 0) {
      // each of its submissions would quietly run without the cache: refused where it is written
      throw new IllegalArgumentException("task " + name + ": cacheFor is for durable tasks (a cached result is a row of the"
          + " task table), and this one is fire-and-forget; add durable = true to its @Task");
    }
  }

  /** A task known only by name, e.g. one defined in a Python service: fire-and-forget, every default. */
  public static TaskDefinition named(String name) {
    return new TaskDefinition(name, null, 0, OnDuplicate.PARALLEL, false);
  }

  /**
   * What a durable submission of the task cannot have: the {@code serial} policy (a row cannot wait
   * for another row's run), or a timeout past {@link #DURABLE_TIMEOUT_LIMIT_SECONDS}.
   *
   * @throws IllegalArgumentException naming the task and saying what to do instead
   */
  static void checkDurable(String name, double timeoutSeconds, OnDuplicate onDuplicate) {
    if (onDuplicate == OnDuplicate.SERIAL) {
      throw new IllegalArgumentException("task " + name + ": on_duplicate serial is not supported for durable tasks;"
          + " use discard or queue_one, or publish it fire-and-forget (durable = false)");
    }
    if (timeoutSeconds > DURABLE_TIMEOUT_LIMIT_SECONDS) {
      throw new IllegalArgumentException("task " + name + ": a durable task's timeout must be at most "
          + (long) DURABLE_TIMEOUT_LIMIT_SECONDS + " seconds (7 days), was " + timeoutSeconds);
    }
  }

  private static void checkSeconds(String name, String what, double seconds, double limit) {
    if (!(seconds >= 0 && seconds <= limit)) {
      throw new IllegalArgumentException("task " + name + ": " + what + " must be from 0 to " + (long) limit
          + " seconds, was " + seconds);
    }
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
    double cacheFor;
    try {
      cacheFor = task.cacheFor().isBlank() ? 0 : DurationText.seconds(task.cacheFor());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(describe(method) + ": @Task(cacheFor): " + e.getMessage(), e);
    }
    return new TaskDefinition(name, channel, task.timeout(), task.onDuplicate(), task.bind(), task.maxConcurrency(),
        task.durable(), task.priority(), task.maxAttempts(), task.backoff(), task.maxBackoff(), task.record(), cacheFor);
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
