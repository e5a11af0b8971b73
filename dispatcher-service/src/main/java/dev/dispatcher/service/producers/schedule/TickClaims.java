package dev.dispatcher.service.producers.schedule;

import java.sql.SQLException;
import java.time.Instant;

/**
 * Where the daemons sharing a database agree on which of them fires each tick of a cluster-wide
 * schedule: the first to claim a tick fires it; the others skip it.
 */
public interface TickClaims {

  /** Creates what claiming needs (the table), if it does not exist yet. Idempotent. */
  void prepare() throws SQLException;

  /** Claims a tick for this node; true if this node is the first, so it fires. */
  boolean claim(String schedule, Instant tick) throws SQLException;

  /** Forgets old claims; returns how many were deleted. */
  int purge() throws SQLException;
}
