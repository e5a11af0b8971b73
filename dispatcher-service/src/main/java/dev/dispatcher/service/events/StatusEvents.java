package dev.dispatcher.service.events;

/**
 * Where the parts that see a task's transitions report them. Never blocks the caller: an
 * implementation that cannot take an event drops it and counts the drop (the table stays the truth).
 */
@FunctionalInterface
public interface StatusEvents {

  /** Events off: nothing is published. */
  StatusEvents NONE = event -> { };

  void publish(StatusEvent event);
}
