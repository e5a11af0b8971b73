package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dispatcher.PublishException;
import dev.dispatcher.Publisher;
import dev.dispatcher.jdbc.DatabaseUrl;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A publish against a database that is down or does not answer fails within the publisher's
 * timeouts with a {@link PublishException} saying which, instead of blocking for HikariCP's 30 s.
 * No daemon: only the library, a real Postgres, and ports that refuse or never answer.
 */
@ExtendWith(PostgresExtension.class)
class PublisherTimeoutsE2eTest {

  /** Time for a JVM on a busy 2-core machine on top of a timeout. */
  private static final Duration SLACK = Duration.ofSeconds(3);

  private static int portNothingListensOn() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private record Failure(PublishException exception, Duration took) {}

  /** Publishes one task, which must fail; a publish that hangs fails the test after 20 s. */
  private static Failure publishFails(Publisher publisher) {
    long start = System.nanoTime();
    PublishException failure = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> catchThrowableOfType(PublishException.class, () -> publisher.task("app.tasks.x").delay(1)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(failure).as("the publish must fail").isNotNull();
    return new Failure(failure, took);
  }

  @Test
  void aDatabaseThatIsDownFailsWithinTheDefaultConnectTimeout() throws Exception {
    try (Publisher publisher = Publisher.builder()
        .url("postgresql://postgres@127.0.0.1:" + portNothingListensOn() + "/postgres").defaultChannel("tasks").build()) {
      Failure failure = publishFails(publisher);

      assertThat(failure.took()).isBetween(Publisher.DEFAULT_CONNECT_TIMEOUT.minusMillis(500), Publisher.DEFAULT_CONNECT_TIMEOUT.plus(SLACK));
      assertThat(failure.exception()).hasMessageContaining("cannot publish on channel 'tasks'")
          .hasMessageContaining("no connection to the database within 5 s (Publisher.builder().connectTimeout)")
          .hasMessageContaining("refused");
    }
  }

  @Test
  void theConnectTimeoutIsTheBuildersToSet() throws Exception {
    try (Publisher publisher = Publisher.builder().url("postgresql://postgres@127.0.0.1:" + portNothingListensOn() + "/postgres")
        .defaultChannel("tasks").connectTimeout(Duration.ofMillis(1500)).build()) {
      Failure failure = publishFails(publisher);

      assertThat(failure.took()).isBetween(Duration.ofMillis(1000), Duration.ofMillis(1500).plus(SLACK));
      assertThat(failure.exception()).hasMessageContaining("within 1.5 s (Publisher.builder().connectTimeout)");
    }
  }

  @Test
  void aServerThatAcceptsButNeverAnswersFailsWithinTheConnectTimeout() throws Exception {
    // The kernel completes the TCP handshake for the backlog: connections open, and nothing answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Publisher publisher = Publisher.builder().url("postgresql://postgres@127.0.0.1:" + silent.getLocalPort() + "/postgres")
            .defaultChannel("tasks").connectTimeout(Duration.ofSeconds(1)).build()) {
      Failure failure = publishFails(publisher);

      assertThat(failure.took()).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1).plus(SLACK));
      assertThat(failure.exception()).hasMessageContaining("no connection to the database within 1 s");
    }
  }

  @Test
  void aStatementThatHangsIsCancelledAfterThePublishTimeout(TestDatabase database) throws Exception {
    String schema = slowNotifySchema(database);
    // pg_catalog named after the schema: its pg_notify(text, text), which sleeps, is found first
    // database.url() is a jdbc: URL that already has a query (user, password)
    String options = URLEncoder.encode("-c search_path=" + schema + ",pg_catalog", StandardCharsets.UTF_8).replace("+", "%20");
    try (Publisher publisher = Publisher.builder().url(database.url() + "&options=" + options)
        .defaultChannel("tasks").publishTimeout(Duration.ofSeconds(1)).build()) {
      Failure failure = publishFails(publisher);

      assertThat(failure.took()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(1).plus(SLACK));
      assertThat(failure.exception()).hasMessageContaining("pg_notify on channel 'tasks' did not finish within 1 s"
          + " (Publisher.builder().publishTimeout) and was cancelled");
    }
  }

  @Test
  void thePublishTimeoutAlsoBoundsAPublishInsideTheCallersTransaction(TestDatabase database) throws Exception {
    String schema = slowNotifySchema(database);
    try (Publisher publisher = Publisher.builder().url(database.url()).defaultChannel("tasks")
        .publishTimeout(Duration.ofSeconds(1)).build();
        Connection tx = database.connect()) {
      tx.setAutoCommit(false);
      try (Statement statement = tx.createStatement()) {
        statement.execute("SET LOCAL search_path TO " + schema + ", pg_catalog");
      }
      Failure failure = publishFails(publisher.inTransaction(tx));
      tx.rollback();

      assertThat(failure.took()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(1).plus(SLACK));
      assertThat(failure.exception()).hasMessageContaining("did not finish within 1 s");
      assertThat(tx.isValid(5)).as("the caller's connection is still usable after its rollback").isTrue();
    }
  }

  @Test
  void aServerThatStopsAnsweringOnAnOpenConnectionIsGivenUp(TestDatabase database) throws Exception {
    DatabaseUrl direct = DatabaseUrl.parse(database.url());
    try (FreezableProxy proxy = new FreezableProxy(direct.host(), direct.port())) {
      String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + direct.database() + "?user=" + direct.user()
          + (direct.password() == null ? "" : "&password=" + direct.password());
      try (Publisher publisher = Publisher.builder().url(url).defaultChannel("tasks")
          .connectTimeout(Duration.ofSeconds(1)).publishTimeout(Duration.ofSeconds(1)).build()) {
        publisher.task("app.tasks.x").delay(0); // the pool now holds an open connection

        proxy.freeze(); // that connection stays open and carries nothing more; the cancel request gets nowhere
        Failure failure = publishFails(publisher);

        // taken at once, the connection skips the pool's liveness check and the read waits for the socket
        // timeout (publishTimeout + 1 s); after a pause the check fails it within the connect timeout
        assertThat(failure.took()).isLessThan(Duration.ofSeconds(2).plus(SLACK));
        assertThat(failure.exception().getMessage()).containsAnyOf(
            "the database did not answer within", "no connection to the database within 1 s");
      }
    }
  }

  /** A schema whose pg_notify(text, text) sleeps for 30 s. */
  private static String slowNotifySchema(TestDatabase database) throws Exception {
    String schema = "slow_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
      statement.execute("CREATE FUNCTION " + schema + ".pg_notify(text, text) RETURNS void LANGUAGE sql AS 'SELECT pg_sleep(30)'");
    }
    return schema;
  }
}
