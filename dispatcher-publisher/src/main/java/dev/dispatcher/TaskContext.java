package dev.dispatcher;

import java.util.Map;

/**
 * What a bound task ({@code @Task(bind = true)}) receives as its first argument.
 *
 * <pre>{@code
 * @Task(bind = true)
 * public static void resize(TaskContext context, String path) {
 *   log.info("resizing {} as part of {}", path, context.uuid());
 * }
 * }</pre>
 */
public interface TaskContext {

  /** The submission's uuid. */
  String uuid();

  /** The registered task name. */
  String taskName();

  /** The channel the message arrived on, or null for tasks started by the daemon itself. */
  String channel();

  /** The node id of the daemon running the task. */
  String nodeId();

  /** The whole task message as it arrived (unknown keys included), as plain JSON values. */
  Map<String, Object> message();
}
