package dev.dispatcher.wire;

/**
 * One durable task for {@code <schema>.enqueue_many}: the JSON object {@link DurableTaskEncoder}
 * wrote, and its channel (which that object also holds) for messages about it.
 */
public record DurableRow(String channel, String json) {}
