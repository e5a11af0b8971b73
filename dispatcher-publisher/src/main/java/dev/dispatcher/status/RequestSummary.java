package dev.dispatcher.status;

import java.time.Instant;

/**
 * One request of a client's listing.
 *
 * @param finishedAt when it finished, or null while it has not
 */
public record RequestSummary(String uuid, String task, TaskState state, Instant createdAt, Instant finishedAt) {}
