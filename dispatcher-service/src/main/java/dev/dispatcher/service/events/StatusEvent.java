package dev.dispatcher.service.events;

import java.time.Instant;

/**
 * One transition of one task, as published on the events channels.
 *
 * @param attempt the durable attempt (1 for the first), 0 for a fire-and-forget run
 * @param error what failed (retrying, dead, failed), or null
 * @param runAt when the next attempt is due (retrying), or null
 */
public record StatusEvent(String uuid, String task, EventKind kind, boolean durable, int attempt, String node, Instant at, String error,
    Instant runAt) {

  public static StatusEvent of(String uuid, String task, EventKind kind, boolean durable, int attempt, String node, Instant at) {
    return new StatusEvent(uuid, task, kind, durable, attempt, node, at, null, null);
  }
}
