package dev.dispatcher.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The results channel of a schema: daemons NOTIFY it once per committed batch of tasks that
 * finished (completed, failed or cancelled), with their uuids, so that publishers waiting for a
 * result are woken instead of polling. The payload is the uuids separated by commas, {@code
 * 3f2a…,9b1c…}; a batch whose uuids do not fit in one payload (Postgres refuses {@value
 * WireFormat#MAX_PAYLOAD_BYTES} bytes or more) is split into several, each whole uuids only. A
 * notification is a hint: the row is the truth, and a waiter reads it.
 */
public final class ResultNotices {

  /** Appended to the schema's name: {@code dispatcher_results}. */
  public static final String SUFFIX = "_results";
  /** Postgres keeps 63 bytes of a channel name. */
  private static final int MAX_CHANNEL_BYTES = 63;

  private ResultNotices() {}

  /**
   * {@code <schema>_results}; a schema name too long for that is cut so that the channel fits in
   * 63 bytes (two such schemas share a channel: their waiters read their own rows, so a foreign
   * notification only costs a look-up).
   */
  public static String channel(String schema) {
    String base = schema.length() + SUFFIX.length() > MAX_CHANNEL_BYTES ? schema.substring(0, MAX_CHANNEL_BYTES - SUFFIX.length()) : schema;
    return base + SUFFIX;
  }

  /** The payloads for these uuids, in order: as few as fit under Postgres's payload limit. */
  public static List<String> payloads(List<String> uuids) {
    List<String> payloads = new ArrayList<>(uuids.size() / 200 + 1);
    StringBuilder payload = new StringBuilder(Math.min(WireFormat.MAX_PAYLOAD_BYTES, uuids.size() * 37));
    for (String uuid : uuids) {
      // uuids are ASCII: a char is a byte
      if (payload.length() > 0 && payload.length() + 1 + uuid.length() >= WireFormat.MAX_PAYLOAD_BYTES) {
        payloads.add(payload.toString());
        payload.setLength(0);
      }
      if (payload.length() > 0) {
        payload.append(',');
      }
      payload.append(uuid);
    }
    if (payload.length() > 0) {
      payloads.add(payload.toString());
    }
    return payloads;
  }

  /** The notifications for these uuids on the schema's results channel. */
  public static List<Notification> notifications(String schema, List<String> uuids) {
    String channel = channel(schema);
    List<Notification> notifications = new ArrayList<>();
    for (String payload : payloads(uuids)) {
      notifications.add(new Notification(channel, payload));
    }
    return notifications;
  }

  /** The uuids of a payload; pieces that are not uuids (anyone can NOTIFY the channel) are left out. */
  public static List<String> uuids(String payload) {
    List<String> uuids = new ArrayList<>();
    if (payload == null) {
      return uuids;
    }
    int start = 0;
    while (start <= payload.length()) {
      int comma = payload.indexOf(',', start);
      int end = comma < 0 ? payload.length() : comma;
      if (end - start == 36) {
        String piece = payload.substring(start, end);
        if (isUuid(piece)) {
          uuids.add(piece);
        }
      }
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
    return uuids;
  }

  /** A uuid in its 36-character form, hex digits in either case. */
  public static boolean isUuid(String text) {
    if (text == null || text.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = text.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      boolean hex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
      if (dash ? c != '-' : !hex) {
        return false;
      }
    }
    return true;
  }
}
