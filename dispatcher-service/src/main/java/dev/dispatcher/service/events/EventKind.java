package dev.dispatcher.service.events;

/** The transitions a status event reports, by their wire names. */
public enum EventKind {
  /** A run began on a slot (each attempt of a durable task starts once). */
  STARTED("started"),
  /** The run returned. */
  SUCCEEDED("succeeded"),
  /** A fire-and-forget run failed or timed out (it is not tried again). */
  FAILED("failed"),
  /** A durable attempt failed or timed out; another is due at the event's {@code run_at}. */
  RETRYING("retrying"),
  /** A durable task failed for good: no attempt left, or the task said not to retry (the dead letter). */
  DEAD("dead"),
  /** The run was cancelled. */
  CANCELLED("cancelled");

  private final String wireName;

  EventKind(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
