package dev.dispatcher.service.storage;

import dev.dispatcher.wire.ChannelNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The listener's statements as plain statements: pgjdbc-ng runs them with the simple protocol,
 * and LISTEN and NOTIFY take no parameters, so channel names go in quoted as identifiers.
 */
public final class PostgresListenStatements implements ListenStatements {

  private static final Pattern PLAIN_PAYLOAD = Pattern.compile("[A-Za-z0-9._-]*");

  @Override
  public void listen(Connection session, List<String> channels) throws SQLException {
    try (Statement statement = session.createStatement()) {
      // Server-side TCP keepalive for this session (pgjdbc-ng has no client-side setting): the
      // server then drops a backend whose route died instead of keeping it. The client side is
      // covered by the listener's self-check.
      statement.execute("SET tcp_keepalives_idle = 30");
      statement.execute("SET tcp_keepalives_interval = 10");
      statement.execute("SET tcp_keepalives_count = 3");
      for (String channel : channels) {
        statement.execute("LISTEN " + ChannelNames.quoteIdentifier(channel));
      }
    }
  }

  @Override
  public void notifySelf(Connection session, String channel, String payload) throws SQLException {
    if (!PLAIN_PAYLOAD.matcher(payload).matches()) {
      throw new IllegalArgumentException("a self-check payload must be plain text (letters, digits, - _ .), was " + payload.length()
          + " characters of something else");
    }
    try (Statement statement = session.createStatement()) {
      statement.execute("NOTIFY " + ChannelNames.quoteIdentifier(channel) + ", '" + payload + "'");
    }
  }
}
