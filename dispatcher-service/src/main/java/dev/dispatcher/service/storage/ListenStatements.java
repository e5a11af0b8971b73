package dev.dispatcher.service.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The statements of the listener, run on the listener's own session: LISTEN and a NOTIFY to
 * oneself are per session, so the caller passes the connection it owns (opened, watched and
 * closed by the listener) and these only say what to run on it.
 */
public interface ListenStatements {

  /** Readies a new session (server-side TCP keepalives) and LISTENs on each channel, in order. */
  void listen(Connection session, List<String> channels) throws SQLException;

  /**
   * NOTIFYs {@code channel} on the session itself, which Postgres delivers back to it when it
   * listens on the channel (the listener's self-check).
   *
   * @param payload letters, digits, {@code -}, {@code _} and {@code .} only: it goes into the statement text
   */
  void notifySelf(Connection session, String channel, String payload) throws SQLException;
}
