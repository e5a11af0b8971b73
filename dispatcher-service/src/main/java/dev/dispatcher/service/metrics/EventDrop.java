package dev.dispatcher.service.metrics;

/** Why status events were not published; counted as {@code dispatcher_status_events_dropped_total{reason}}. */
public enum EventDrop {
  /** The events waiting to be sent were at their bound ({@code events.max_queued}). */
  QUEUE_FULL("queue_full"),
  /** The statement that sends them failed (the database was unreachable). */
  SEND_FAILED("send_failed");

  private final String label;

  EventDrop(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
