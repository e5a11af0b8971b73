package dev.dispatcher.service.metrics;

/**
 * Why a message or task was dropped; each is counted ({@code dispatcher_messages_dropped_total{reason}},
 * the {@code dropped} maps of the control replies and the shutdown summary) and logged, with the
 * {@link #label()} as its name everywhere.
 */
public enum DropReason {
  /** Not a usable task message: not JSON, not an object, a field of the wrong type or size. */
  BAD_PAYLOAD("bad_payload"),
  /** A chunk envelope that is malformed, contradicts earlier parts, or nests a chunk. */
  BAD_CHUNK("bad_chunk"),
  /** A task no registered method has. */
  UNKNOWN_TASK("unknown_task"),
  /** Arguments that do not bind to the task's parameters. */
  BAD_ARGUMENTS("bad_arguments"),
  /** Dropped by {@code on_duplicate}: a duplicate is running, queued or held. */
  DUPLICATE("duplicate"),
  /** Not started, or abandoned waiting, because the daemon is stopping. */
  SHUTTING_DOWN("shutting_down"),
  /** Handling the message failed in the daemon itself. */
  INTERNAL_ERROR("internal_error"),
  /** A callback or errback that is not a usable task message. */
  BAD_FOLLOWUP("bad_followup"),
  /** The backlog between the producers and the dispatch loop is at its bound. */
  BACKLOG_FULL("backlog_full"),
  /** Queued and held work is at its bound. */
  QUEUE_FULL("queue_full"),
  /** Delayed work is at its bound. */
  DELAYED_FULL("delayed_full"),
  /** A fire-and-forget message of a task type suspended cluster-wide. */
  SUSPENDED("suspended");

  private final String label;

  DropReason(String label) {
    this.label = label;
  }

  /** The name in metrics, control replies and logs. */
  public String label() {
    return label;
  }
}
