package dev.dispatcher.service.control;

/**
 * Bounds of one control reply.
 *
 * @param maxEntries entries a listing ({@code running}, {@code cancel}, {@code workers}) shows at most
 * @param maxBytes the serialized reply's size in bytes at most; listings stop short of it, and a
 *     reply still over it is withheld (replaced by an error)
 */
public record ReplyLimits(int maxEntries, int maxBytes) {

  public static final ReplyLimits DEFAULT = new ReplyLimits(1000, 1024 * 1024);

  /** Room kept for what is not a listing entry: node_id, the truncated marker, the counters of status. */
  static final int HEADROOM_BYTES = 16 * 1024;

  public ReplyLimits {
    if (maxEntries < 1 || maxBytes < 2 * HEADROOM_BYTES) {
      throw new IllegalArgumentException("reply limits too small: " + maxEntries + " entries, " + maxBytes + " bytes");
    }
  }
}
