package dev.dispatcher.wire;

/**
 * One durable task for {@code <schema>.enqueue_many}: the JSON object {@link DurableTaskEncoder}
 * wrote, and its channel (which that object also holds) for messages about it.
 *
 * @param cacheLookup whether {@code enqueue_many} may answer it from the result cache (its
 *     {@code cache_for} is above 0) instead of inserting it: then the uuid it answers with need not
 *     be the one the object holds
 */
public record DurableRow(String channel, String json, boolean cacheLookup) {

  /** A row that the result cache does not answer. */
  public DurableRow(String channel, String json) {
    this(channel, json, false);
  }
}
