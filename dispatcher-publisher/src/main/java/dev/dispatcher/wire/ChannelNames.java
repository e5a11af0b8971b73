package dev.dispatcher.wire;

import java.nio.charset.StandardCharsets;

/**
 * Checks channel names before anything is sent. Postgres truncates identifiers to 63 bytes, so a
 * longer name would silently listen on or notify a different channel.
 */
public final class ChannelNames {

  /** Longest channel name Postgres keeps intact (NAMEDATALEN - 1). */
  public static final int MAX_BYTES = 63;

  private ChannelNames() {}

  /**
   * Returns the name when it is usable as a pg_notify channel.
   *
   * @throws IllegalArgumentException naming the channel when it is null, empty, 64 bytes or
   *     longer, or contains a NUL character
   */
  public static String check(String channel) {
    if (channel == null || channel.isEmpty()) {
      throw new IllegalArgumentException("channel name must not be empty");
    }
    if (channel.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("channel name must not contain NUL: '" + printable(channel) + "'");
    }
    int bytes = channel.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException(
          "channel name '" + channel + "' is " + bytes + " bytes; Postgres allows at most " + MAX_BYTES);
    }
    return channel;
  }

  /** Quotes a channel for LISTEN/UNLISTEN, which take an identifier rather than a string. */
  public static String quoteIdentifier(String channel) {
    return '"' + check(channel).replace("\"", "\"\"") + '"';
  }

  private static String printable(String channel) {
    return channel.replace("\0", "\\0");
  }
}
