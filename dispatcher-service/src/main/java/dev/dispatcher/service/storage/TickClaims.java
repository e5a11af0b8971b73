package dev.dispatcher.service.storage;

import java.sql.SQLException;
import java.time.Instant;

/**
 * Where the daemons sharing a database agree on which of them fires each tick of a cluster-wide
 * schedule: the first to claim a tick fires it; the others skip it.
 */
public interface TickClaims {

  /** Makes sure what claiming needs (the schema and its table) is in place. Idempotent. */
  void prepare() throws SQLException;

  /** Claims a tick for this node; true if this node is the first, so it fires. */
  boolean claim(String schedule, Instant tick) throws SQLException;

  /** Forgets old claims; returns how many were deleted. */
  int purge() throws SQLException;
}
