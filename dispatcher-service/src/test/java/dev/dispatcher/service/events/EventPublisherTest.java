package dev.dispatcher.service.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.storage.PostgresStorage;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The publisher of status events on a real Postgres: its bound, its counts, what a LISTEN client gets. */
@ExtendWith(PostgresExtension.class)
class EventPublisherTest {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void pastItsBoundEventsAreDroppedAndCountedAndTheQueuedOnesAreSentInOrder(TestDatabase database) throws Exception {
    DispatcherMetrics metrics = new DispatcherMetrics();
    try (HikariDataSource pool = ConnectionPools.create(database.url(), "events-test", 2); Connection listener = database.connect()) {
      try (Statement listen = listener.createStatement()) {
        listen.execute("LISTEN publisher_test_events");
      }
      PostgresStorage storage = new PostgresStorage(database.url(), SchemaName.of(SchemaName.DEFAULT), pool, "node-a");
      EventPublisher publisher = new EventPublisher("publisher_test_events", Map.of(), 3, storage.notifier(), new EventPayloads(mapper), metrics);
      for (int i = 0; i < 10; i++) { // not started yet: nothing is sent, the queue fills
        publisher.publish(StatusEvent.of("uuid-" + i, "app.a", EventKind.STARTED, false, 0, "node-a", Instant.now()));
      }
      assertThat(metrics.prometheus().scrape()).contains("dispatcher_status_events_dropped_total{reason=\"queue_full\"} 7.0");

      publisher.start();
      List<String> received = new ArrayList<>();
      try {
        await().until(() -> {
          PGNotification[] arrived = listener.unwrap(PGConnection.class).getNotifications(100);
          if (arrived != null) {
            for (PGNotification notification : arrived) {
              mapper.readTree(notification.getParameter()).forEach(event -> received.add(event.get("uuid").asText()));
            }
          }
          return received.size() >= 3;
        });
      } finally {
        publisher.stop();
      }
      assertThat(received).containsExactly("uuid-0", "uuid-1", "uuid-2");
      assertThat(metrics.prometheus().scrape()).contains("dispatcher_status_events_sent_total 3.0");
    }
  }
}
