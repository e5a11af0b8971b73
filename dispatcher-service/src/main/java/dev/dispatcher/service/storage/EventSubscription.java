package dev.dispatcher.service.storage;

import dev.dispatcher.jdbc.DatabaseUrl;
import java.util.List;

/**
 * A LISTEN on one channel through a session of its own, for the HTTP API's event stream: it
 * connects when first read and again after a loss (with a growing pause), so a database blip ends
 * no stream. Notifications sent while it was not connected are not seen (NOTIFY keeps none).
 * One reader thread at a time.
 */
public interface EventSubscription extends AutoCloseable {

  /** The payloads that arrived, waiting at most {@code waitMillis} for the first; empty when none came. */
  List<String> next(int waitMillis) throws InterruptedException;

  @Override
  void close();

  /** A subscription to {@code channel} on the database at {@code address} (pgjdbc). */
  static EventSubscription listening(DatabaseUrl address, String channel) {
    return new PostgresEventSubscription(address, channel);
  }
}
