package dev.dispatcher.service.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.DurableTasks.ClaimedRow;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.service.storage.PostgresStorage;
import dev.dispatcher.service.storage.SchemaName;
import dev.dispatcher.service.testing.CommitCuttingProxy;
import dev.dispatcher.service.testing.PostgresExtension;
import dev.dispatcher.service.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The completion writer against a real Postgres, in a schema of its own, through a proxy that can lose a COMMIT's answer. */
@ExtendWith(PostgresExtension.class)
class CompletionWriterTest {

  private static final Duration LEASE = Duration.ofSeconds(30);

  private TestDatabase server;
  private SchemaName schema;
  private CommitCuttingProxy proxy;
  private HikariDataSource direct;
  private HikariDataSource cut;
  private DurableTasks rows;
  private DurableTasks rowsThroughProxy;

  @BeforeEach
  void schemaOfItsOwn(TestDatabase server) throws Exception {
    this.server = server;
    schema = SchemaName.of("writer_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    proxy = new CommitCuttingProxy(server.url());
    direct = ConnectionPools.create(server.url(), "writer-test", 2);
    cut = ConnectionPools.create(proxy.url(), "writer-test-through-proxy", 2);
    PostgresStorage storage = new PostgresStorage(server.url(), schema, direct, "node-a");
    storage.migrateAtStart();
    rows = storage.durableTasks();
    rowsThroughProxy = new PostgresStorage(proxy.url(), schema, cut, "node-a").durableTasks();
    rowsThroughProxy.prepare(); // its migration check done: the next COMMIT through the proxy is a batch's
  }

  @AfterEach
  void dropIt() throws Exception {
    cut.close();
    direct.close();
    proxy.close();
    try (Connection connection = server.connect(); Statement drop = connection.createStatement()) {
      drop.execute("DROP SCHEMA " + schema.value() + " CASCADE");
    }
  }

  /**
   * BUG: a batch whose COMMIT succeeded but whose answer was lost (the connection broke) was written
   * again; the fence found its rows finished and the writer reported their leases lost ("3 of 3
   * durable outcome(s) not written"), counting them as fenced.
   */
  @Test
  void aBatchWhoseCommitAnswerWasLostCountsAsWrittenOnceTheCommitIsConfirmed() throws Exception {
    List<ClaimedRow> claimed = claimThree();
    DispatcherMetrics metrics = new DispatcherMetrics();
    CompletionWriter writer = new CompletionWriter(rowsThroughProxy, metrics, Duration.ofSeconds(5));
    proxy.armCommitCut();
    claimed.forEach(row -> writer.accept(new Completion.Completed(row.id(), row.attempt(), "\"done\"")));

    writer.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> counter(metrics, "dispatcher_durable_completion_batches_total") >= 1);
    } finally {
      writer.stop();
    }

    assertThat(proxy.cuts()).as("the COMMIT's answer was lost").isEqualTo(1);
    assertThat(counter(metrics, "dispatcher_durable_completions_total")).isEqualTo(3);
    assertThat(counter(metrics, "dispatcher_durable_completions_fenced_total")).as("no lease was lost").isZero();
    assertThat(counter(metrics, "dispatcher_durable_completion_batches_total")).as("one batch").isEqualTo(1);
    assertThat(states()).isEqualTo("completed completed completed");
    assertThat(writer.pendingRowIds()).isEmpty();
  }

  @Test
  void aBatchWhoseCommitNeverReachedTheServerIsWrittenAgain() throws Exception {
    List<ClaimedRow> claimed = claimThree();
    DispatcherMetrics metrics = new DispatcherMetrics();
    CompletionWriter writer = new CompletionWriter(rowsThroughProxy, metrics, Duration.ofSeconds(5));
    proxy.armCommitDrop();
    claimed.forEach(row -> writer.accept(new Completion.Completed(row.id(), row.attempt(), "\"done\"")));

    writer.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> counter(metrics, "dispatcher_durable_completion_batches_total") >= 1);
    } finally {
      writer.stop();
    }

    assertThat(proxy.cuts()).as("the COMMIT was lost").isEqualTo(1);
    assertThat(counter(metrics, "dispatcher_durable_completions_total")).isEqualTo(3);
    assertThat(counter(metrics, "dispatcher_durable_completions_fenced_total")).isZero();
    assertThat(states()).isEqualTo("completed completed completed");
  }

  /**
   * BUG: a COMMIT lost on a half-open connection left the server's session idle in its transaction
   * (until TCP keepalive, hours): the writer saw it in progress at every look and wrote nothing more.
   */
  @Test
  void aBatchWhoseCommitIsLostOnAHalfOpenConnectionIsAbortedByTheServerAndWrittenAgain() throws Exception {
    List<ClaimedRow> claimed = claimThree();
    DispatcherMetrics metrics = new DispatcherMetrics();
    CompletionWriter writer = new CompletionWriter(rowsThroughProxy, metrics, Duration.ofSeconds(5));
    proxy.armCommitHold();
    claimed.forEach(row -> writer.accept(new Completion.Completed(row.id(), row.attempt(), "\"done\"")));

    writer.start();
    try {
      await().atMost(Duration.ofSeconds(40)).until(() -> counter(metrics, "dispatcher_durable_completion_batches_total") >= 1);
    } finally {
      writer.stop();
    }

    assertThat(proxy.cuts()).as("the COMMIT was held").isEqualTo(1);
    assertThat(counter(metrics, "dispatcher_durable_completions_total")).isEqualTo(3);
    assertThat(counter(metrics, "dispatcher_durable_completions_fenced_total")).isZero();
    assertThat(states()).isEqualTo("completed completed completed");
  }

  private List<ClaimedRow> claimThree() throws SQLException {
    for (int i = 0; i < 3; i++) {
      assertThat(rows.enqueue("{\"task\": \"app.a\", \"channel\": \"emails\"}")).isTrue();
    }
    List<ClaimedRow> claimed = rows.claim("emails", List.of("app.a"), 10, "node-a", LEASE);
    assertThat(claimed).hasSize(3);
    return claimed;
  }

  private String states() throws SQLException {
    try (Connection connection = server.connect(); Statement select = connection.createStatement();
        ResultSet result = select.executeQuery("SELECT string_agg(state, ' ' ORDER BY id) FROM " + schema.value() + ".tasks")) {
      result.next();
      return result.getString(1);
    }
  }

  private static double counter(DispatcherMetrics metrics, String name) {
    Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(metrics.prometheus().scrape());
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
  }
}
