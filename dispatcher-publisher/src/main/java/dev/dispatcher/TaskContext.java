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

  /**
   * A publisher on the daemon's database for follow-up tasks; its default channel is the daemon's
   * {@code default_publish_channel}. Owned by the daemon: do not close it.
   */
  Publisher publisher();

  /**
   * Cancels this daemon's work whose uuid and/or task name match (null matches anything, but not
   * both null): running tasks are interrupted, queued, held and delayed ones removed.
   *
   * @return the uuids of what was cancelled
   */
  java.util.List<String> cancel(String uuid, String taskName);

  /**
   * Runs a control command in this daemon (no round trip through the database) and returns its
   * reply as plain JSON values, e.g. {@code context.control("running", Map.of("task", "app.tasks.x"))}.
   *
   * @throws IllegalArgumentException for an unknown command or bad control data, with the reason
   */
  Map<String, Object> control(String command, Map<String, ?> controlData);

  /**
   * A connection to the daemon's database, in a transaction the daemon ends when the task returns:
   * committed when it succeeds, rolled back when it fails (throws, times out, is cancelled). For a
   * durable task the commit also marks the task completed, so its writes and its completion commit
   * together or not at all: if the task's lease was lost meanwhile (another node may run it), both
   * are rolled back. Opened on first call; later calls return the same connection. Do not commit,
   * roll back or close it.
   *
   * <pre>{@code
   * @Task(bind = true, durable = true)
   * public static void ship(TaskContext context, long orderId) throws SQLException {
   *   try (PreparedStatement update = context.transaction().prepareStatement(
   *       "UPDATE orders SET shipped = true WHERE id = ?")) {
   *     update.setLong(1, orderId);
   *     update.executeUpdate();
   *   }
   * }
   * }</pre>
   */
  java.sql.Connection transaction() throws java.sql.SQLException;

  /**
   * Reports how far the run is: {@code fraction} from 0 to 1 and a short note (at most 200
   * characters are kept; null for none). Cheap to call often: the last report wins. It shows in the
   * control command {@code running} at once, and for a durable task in its row ({@code progress},
   * {@code progress_note}, {@code progress_at}, and so in its status) within about a second,
   * written together with the other runs' reports in one statement.
   *
   * <pre>{@code
   * @Task(bind = true, durable = true)
   * public static void resize(TaskContext context, List<String> paths) {
   *   for (int i = 0; i < paths.size(); i++) {
   *     context.progress((double) i / paths.size(), "resizing " + paths.get(i));
   *     resizeOne(paths.get(i));
   *   }
   * }
   * }</pre>
   *
   * @throws IllegalArgumentException when {@code fraction} is not a number from 0 to 1
   */
  void progress(double fraction, String note);
}
