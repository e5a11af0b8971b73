package dev.dispatcher.service.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** The listener against a real Postgres: LISTEN, the self-check, losses and reconnects. */
@ExtendWith(PostgresExtension.class)
class PgNotifyListenerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String channel = "listener_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final String applicationName = "listener-test " + channel;
  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger listenerLog = (Logger) LoggerFactory.getLogger(PgNotifyListener.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    listenerLog.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    listenerLog.detachAppender(logs);
  }

  @Test
  void aQuietHealthyConnectionPassesItsSelfChecksOnItsOwnSession(TestDatabase database) throws Exception {
    try (PgNotifyListener listener = listener(database, (channelName, payload) -> received.add(payload),
        Duration.ofMillis(200), Duration.ofSeconds(2), PgNotifyListener::openDirect)) {
      listener.start();
      assertThat(listener.awaitListening(WAIT)).isTrue();

      await().atMost(WAIT).until(() -> metrics.counts().selfChecks() >= 3);
      assertThat(metrics.counts().selfCheckFailures()).isZero();
      assertThat(metrics.counts().listenerLosses()).isZero();
      assertThat(metrics.counts().lastSelfCheckNanos().orElseThrow()).isPositive();
      assertThat(listener.lastSelfCheckPassed()).isTrue();
      notify(database, "still listening");
      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("still listening");
      assertThat(received).as("the check's own notifications do not reach the sink").isEmpty();
    }
  }

  @Test
  void aLateClosedCallbackOfAReplacedConnectionDoesNotDropTheNewOne(TestDatabase database) throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    // A sink that blocks the driver's I/O thread on "block": that connection delivers nothing more,
    // and it cannot finish closing (its close runs on that thread) until the test lets it go.
    NotificationSink sink = (channelName, payload) -> {
      if (payload.equals("block")) {
        awaitQuietly(unblock);
      } else {
        received.add(payload);
      }
    };
    try (PgNotifyListener listener = listener(database, sink, Duration.ofMillis(300), Duration.ofSeconds(1), PgNotifyListener::openDirect)) {
      listener.start();
      assertThat(listener.awaitListening(WAIT)).isTrue();

      notify(database, "block");

      // The self-check of the stuck connection fails; the replacement is made on another I/O thread.
      await().atMost(WAIT).until(() -> metrics.counts().listenerConnections() == 2 && listener.isConnected());
      assertThat(metrics.counts().selfCheckFailures()).isEqualTo(1);
      assertThat(backends(database)).as("the old connection is still open").isEqualTo(2);

      unblock.countDown(); // the old connection now closes, and its driver reports closed() late

      await().atMost(WAIT).until(() -> backends(database) == 1);
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
          .until(() -> listener.isConnected() && metrics.counts().listenerLosses() == 1);
      notify(database, "after");
      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("after");
      assertThat(metrics.counts().listenerConnections()).isEqualTo(2);
      assertThat(messages("listener connection lost")).singleElement().asString().contains("self-check");
    }
  }

  /** BUG: a listener that had never connected logged "connection lost" and counted a loss; nothing was lost. */
  @ParameterizedTest
  @ValueSource(strings = {"runtime", "sql"})
  void aConnectFailureWithoutAMessageIsLoggedAndRetried(String kind, TestDatabase database) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    // A driver failure with no message, as the JIT's preallocated exceptions of a hot reconnect loop have.
    PgNotifyListener.Opener failingOnce = address -> {
      if (attempts.getAndIncrement() == 0) {
        if (kind.equals("sql")) {
          throw new SQLException();
        }
        throw new IllegalStateException();
      }
      return PgNotifyListener.openDirect(address);
    };
    try (PgNotifyListener listener = listener(database, (channelName, payload) -> received.add(payload), Duration.ofSeconds(30), Duration.ofSeconds(5), failingOnce)) {
      AtomicInteger ready = new AtomicInteger();
      listener.whenListening(ready::incrementAndGet);
      assertThat(listener.hasListened()).isFalse();
      listener.start();
      assertThat(listener.awaitListening(WAIT)).as("the supervisor survived the first failure").isTrue();
      await().atMost(WAIT).until(() -> ready.get() == 1);
      listener.whenListening(ready::incrementAndGet);
      assertThat(ready).as("after the first LISTEN, at once").hasValue(2);

      notify(database, "hello");
      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello");
      assertThat(attempts).hasValue(2);
      String exception = kind.equals("sql") ? "java.sql.SQLException" : "java.lang.IllegalStateException";
      assertThat(messages("listener cannot connect")).singleElement().asString().contains(exception);
      assertThat(messages("listener not connected yet")).singleElement().asString().contains(exception).contains("retrying");
      assertThat(messages("connection lost")).isEmpty();
      assertThat(messages("listener connected to")).singleElement().asString().contains("of retrying");
      assertThat(metrics.counts().listenerLosses()).isZero();
      assertThat(metrics.counts().listenerConnections()).isEqualTo(1);
      assertThat(listener.hasListened()).isTrue();
    }
  }

  private PgNotifyListener listener(TestDatabase database, NotificationSink sink, Duration after, Duration timeout, PgNotifyListener.Opener opener) {
    DatabaseUrl address = database.url().withDefaultOption("ApplicationName", applicationName);
    return new PgNotifyListener(address, List.of(channel), sink, metrics, new PgNotifyListener.SelfCheck(after, timeout), opener,
        new dev.dispatcher.service.health.FatalFailure());
  }

  private void notify(TestDatabase database, String payload) throws SQLException {
    try (Connection connection = database.connect(); PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, channel);
      notify.setString(2, payload);
      notify.execute();
    }
  }

  /** How many backends the listener has open. */
  private int backends(TestDatabase database) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
      count.setString(1, applicationName);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  private List<String> messages(String containing) {
    List<ILoggingEvent> events;
    synchronized (logs) { // AppenderBase appends under the appender's lock
      events = List.copyOf(logs.list);
    }
    return events.stream().map(ILoggingEvent::getFormattedMessage).filter(message -> message.contains(containing)).toList();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
