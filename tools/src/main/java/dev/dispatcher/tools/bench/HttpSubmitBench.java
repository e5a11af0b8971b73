package dev.dispatcher.tools.bench;

import dev.dispatcher.Publisher;
import dev.dispatcher.SubmitOptions;
import dev.dispatcher.TaskRef1;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.Dispatcher;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.WireFormat;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable submissions one at a time from {@code clients} concurrent callers, over the daemon's HTTP
 * API (keep-alive HTTP/1.1, one shared client) and through the Java publisher (a submission per
 * call, autocommit), on the same daemon's schema ({@value #SCHEMA}). Each side's rate is the
 * submissions answered per second: a row committed per answer. No daemon claims the rows (its
 * durable claiming is off), so the round measures submission alone; the table is emptied between rounds.
 */
final class HttpSubmitBench implements AutoCloseable {

  static final String SCHEMA = "dispatcher_bench_http";
  static final String CHANNEL = "bench_http";
  private static final String TOKEN = "bench-token-" + "x".repeat(32);

  private final Dispatcher daemon;
  private final Publisher publisher;
  private final HttpClient http;
  private final URI submit;
  private final Connection admin;
  private final int clients;

  HttpSubmitBench(String url, int clients) throws Exception {
    this.clients = clients;
    DatabaseUrl address = DatabaseUrl.parse(url);
    int port = freePort();
    DispatcherConfig.Durable d = DispatcherConfig.Durable.DEFAULT;
    DispatcherConfig.Durable notClaiming = new DispatcherConfig.Durable(false, d.pollInterval(), d.lease(), d.heartbeatInterval(),
        d.rescueInterval(), d.claimBatch(), d.completedRetention(), d.failedRetention(), d.cleanupInterval(), d.vacuumDeadRows());
    DispatcherConfig.Api api = new DispatcherConfig.Api(true, "127.0.0.1", port,
        List.of(new DispatcherConfig.ApiToken("bench", TOKEN, Set.of("submit"))), 256 * 1024, 1_000_000, 1_000_000);
    DispatcherConfig config = new DispatcherConfig(new DispatcherConfig.Database(address, null, SCHEMA), List.of(CHANNEL), CHANNEL,
        "bench-http", new DispatcherConfig.Pool(2, Duration.ofSeconds(5)), new DispatcherConfig.TaskSources(List.of(), List.of()), List.of(),
        List.of(), List.of(), null, null, null, null, null, notClaiming, api);
    daemon = Dispatcher.start(config, TaskRegistry.of(List.of(BenchTasks.class.getMethod("noop", long.class)), WireFormat.newObjectMapper()),
        List.of(), Duration.ofSeconds(30));
    publisher = Publisher.builder().url(url).defaultChannel(CHANNEL).schema(SCHEMA).poolSize(clients).build();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    submit = URI.create("http://127.0.0.1:" + port + "/api/v1/tasks");
    admin = DriverManager.getConnection(address.pgjdbcUrl(), address.user(), address.password());
  }

  /** {@code count} submissions over HTTP, {@code clients} at a time. */
  Round http(int count) throws Exception {
    return timed(count, i -> {
      HttpRequest request = HttpRequest.newBuilder(submit).header("Authorization", "Bearer " + TOKEN)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"" + DurablePayloads.TASK + "\",\"args\":[" + i + "]}")).build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 202) {
        throw new IllegalStateException("HTTP submission answered " + response.statusCode() + ": " + response.body());
      }
    });
  }

  /** {@code count} durable submissions through the Java publisher, {@code clients} at a time. */
  Round publisher(int count) throws Exception {
    TaskRef1<Long> task = publisher.task(BenchTasks::noop).withOptions(SubmitOptions.builder().durable(true).build());
    return timed(count, i -> task.delay((long) i));
  }

  @FunctionalInterface
  private interface Submission {
    void submit(int i) throws Exception;
  }

  private Round timed(int count, Submission submission) throws Exception {
    clear();
    AtomicInteger next = new AtomicInteger();
    List<Thread> callers = new ArrayList<>();
    List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      callers.add(Thread.ofVirtual().start(() -> {
        try {
          for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            submission.submit(i);
          }
        } catch (Exception e) {
          failures.add(e);
        }
      }));
    }
    for (Thread caller : callers) {
      caller.join();
    }
    long end = System.nanoTime();
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    long rows = rows();
    if (rows != count) {
      throw new IllegalStateException("after " + count + " submissions the table has " + rows + " rows");
    }
    double seconds = (end - start) / 1e9;
    return new Round(count, seconds, seconds);
  }

  private void clear() throws SQLException {
    try (Statement statement = admin.createStatement()) {
      statement.execute("TRUNCATE \"" + SCHEMA + "\".tasks");
    }
  }

  private long rows() throws SQLException {
    try (Statement statement = admin.createStatement();
        var result = statement.executeQuery("SELECT count(*) FROM \"" + SCHEMA + "\".tasks")) {
      result.next();
      return result.getLong(1);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    admin.close();
    publisher.close();
    http.close();
    daemon.close();
  }
}
