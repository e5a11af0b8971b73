package dev.dispatcher.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.service.cron.CronExpression;
import java.io.StringReader;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  private static final String FULL = """
      database:
        url: postgresql://app:secret@db.example.com:6543/appdb?sslmode=require
        listen_url: "host=direct.example.com port=5433 dbname=appdb user=app"
      channels: [tasks, email]
      default_publish_channel: email
      node_id: node-7
      pool:
        max_workers: 16
        shutdown_grace_period: 500ms
      tasks:
        packages: [com.example.tasks, com.example.more]
        classes: [com.example.Other]
      hooks: [com.example.AuditHook]
      schedules:
        tick:
          task: app.tick
          args: [1, "two"]
          kwargs: {flag: true}
          interval: 10s
          run_at_start: true
        slow:
          task: app.slow
          interval: 2m
      on_start:
        - task: app.warmup
          args: [3]
          kwargs: {size: 4}
        - task: app.second
      """;

  private static final String MINIMAL = """
      database:
        url: postgresql://app@db/app
      channels: [tasks]
      """;

  private static DispatcherConfig parse(String yaml) {
    return parse(yaml, Map.of());
  }

  private static DispatcherConfig parse(String yaml, Map<String, String> env) {
    return new ConfigLoader(env).parse(new StringReader(yaml), "test.yml");
  }

  private static ConfigException failure(String yaml) {
    return failure(yaml, Map.of());
  }

  private static ConfigException failure(String yaml, Map<String, String> env) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml, env));
    assertThat(e).as("a ConfigException for:\n%s", yaml).isNotNull();
    assertThat(e.getMessage()).startsWith(e.key() + ": ");
    return e;
  }

  @Test
  void fullConfigParsesToTheExpectedValues() {
    DispatcherConfig config = parse(FULL);

    assertThat(config.database().url()).isEqualTo(
        new DatabaseUrl("db.example.com", 6543, "appdb", "app", "secret", Map.of("sslmode", "require")));
    assertThat(config.database().listenUrl()).isEqualTo(
        new DatabaseUrl("direct.example.com", 5433, "appdb", "app", null, Map.of()));
    assertThat(config.database().listenAddress()).isSameAs(config.database().listenUrl());
    assertThat(config.channels()).containsExactly("tasks", "email");
    assertThat(config.defaultPublishChannel()).isEqualTo("email");
    assertThat(config.nodeId()).isEqualTo("node-7");
    assertThat(config.pool()).isEqualTo(new DispatcherConfig.Pool(16, Duration.ofMillis(500)));
    assertThat(config.tasks().packages()).containsExactly("com.example.tasks", "com.example.more");
    assertThat(config.tasks().classes()).containsExactly("com.example.Other");
    assertThat(config.hooks()).containsExactly("com.example.AuditHook");
    assertThat(config.schedules()).containsExactly(
        new DispatcherConfig.Schedule("tick",
            new DispatcherConfig.Submission("schedules.tick.task", "app.tick", List.of(1, "two"), Map.of("flag", true)),
            Duration.ofSeconds(10), true),
        new DispatcherConfig.Schedule("slow",
            new DispatcherConfig.Submission("schedules.slow.task", "app.slow", List.of(), Map.of()),
            Duration.ofMinutes(2), false));
    assertThat(config.onStart()).containsExactly(
        new DispatcherConfig.Submission("on_start[0].task", "app.warmup", List.of(3), Map.of("size", 4)),
        new DispatcherConfig.Submission("on_start[1].task", "app.second", List.of(), Map.of()));
  }

  @Test
  void statusEventsAreOffByDefaultAndTheirChannelsAreChecked() {
    assertThat(parse(MINIMAL).events()).isEqualTo(DispatcherConfig.Events.OFF);
    DispatcherConfig.Events events = parse(MINIMAL + "events:\n  enabled: true\n  channel: shop_events\n  tasks:\n    app.send: send_events\n"
        + "  max_queued: 500\n").events();
    assertThat(events).isEqualTo(new DispatcherConfig.Events(true, "shop_events", Map.of("app.send", "send_events"), 500));

    assertThat(failure(MINIMAL + "events:\n  channel: " + "c".repeat(64) + "\n").key()).isEqualTo("events.channel");
    assertThat(failure(MINIMAL + "events:\n  tasks:\n    app.send: [a]\n").key()).isEqualTo("events.tasks.app.send");
    assertThat(failure(MINIMAL + "events:\n  max_queued: 0\n").key()).isEqualTo("events.max_queued");
    assertThat(failure(MINIMAL + "events:\n  chanel: x\n").key()).isEqualTo("events.chanel");
  }

  @Test
  void theApiIsOffByDefaultAndTakesItsTokensFromTheEnvironmentOnly() {
    assertThat(parse(MINIMAL).api().enabled()).isFalse();
    String token = "t".repeat(32);
    DispatcherConfig config = parse(MINIMAL + "api:\n  enabled: true\n  tokens:\n    - {name: shop, token_env: SHOP_TOKEN, scopes: [submit, read]}\n",
        Map.of("SHOP_TOKEN", token));
    assertThat(config.api().enabled()).isTrue();
    assertThat(config.api().host()).isEqualTo("127.0.0.1");
    assertThat(config.api().tokens()).singleElement().satisfies(t -> {
      assertThat(t.secret()).isEqualTo(token);
      assertThat(t.scopes()).containsExactlyInAnyOrder("submit", "read");
    });
    assertThat(config.api().toString()).doesNotContain(token);

    String api = MINIMAL + "api:\n  enabled: true\n  tokens:\n";
    assertThat(failure(api + "    - {name: a, token: " + token + ", scopes: [read]}\n").key()).isEqualTo("api.tokens[0].token");
    assertThat(failure(api + "    - {name: a, token_env: NOT_SET, scopes: [read]}\n").key()).isEqualTo("api.tokens[0].token_env");
    assertThat(failure(api + "    - {name: a, token_env: SHORT, scopes: [read]}\n", Map.of("SHORT", "short")).getMessage())
        .contains("at least 32 characters").doesNotContain("short");
    assertThat(failure(api + "    - {name: a, token_env: T, scopes: [write]}\n", Map.of("T", token)).key()).isEqualTo("api.tokens[0].scopes");
    assertThat(failure(api + "    - {name: a, token_env: T, scopes: [read]}\n    - {name: a, token_env: T, scopes: [read]}\n",
        Map.of("T", token)).key()).isEqualTo("api.tokens[1].name");
    assertThat(failure(MINIMAL + "api:\n  enabled: true\n").key()).isEqualTo("api.tokens");
    assertThat(failure(MINIMAL + "metrics:\n  port: 9000\napi:\n  enabled: true\n  port: 9000\n  tokens:\n"
        + "    - {name: a, token_env: T, scopes: [read]}\n", Map.of("T", token)).key()).isEqualTo("api.port");
  }

  @Test
  void minimalConfigGetsTheDefaults() {
    DispatcherConfig config = parse(MINIMAL);

    assertThat(config.channels()).containsExactly("tasks");
    assertThat(config.defaultPublishChannel()).isEqualTo("tasks");
    assertThat(config.nodeId()).isNotBlank();
    assertThat(config.pool()).isEqualTo(new DispatcherConfig.Pool(8, Duration.ofSeconds(30)));
    assertThat(config.database().listenUrl()).isNull();
    assertThat(config.database().listenAddress()).isSameAs(config.database().url());
    assertThat(config.tasks().packages()).isEmpty();
    assertThat(config.schedules()).isEmpty();
    assertThat(config.onStart()).isEmpty();
  }

  @Test
  void durationsInEveryUnit() {
    for (Object[] c : new Object[][] {
        {"500ms", Duration.ofMillis(500)}, {"10s", Duration.ofSeconds(10)}, {"2m", Duration.ofMinutes(2)},
        {"1h", Duration.ofHours(1)}, {"1.5s", Duration.ofMillis(1500)}, {"45", Duration.ofSeconds(45)},
        {"\"45\"", Duration.ofSeconds(45)}, {"2.5", Duration.ofMillis(2500)}, {"0", Duration.ZERO}}) {
      DispatcherConfig config = parse(MINIMAL + "pool:\n  shutdown_grace_period: " + c[0] + "\n");
      assertThat(config.pool().shutdownGracePeriod()).as("%s", c[0]).isEqualTo(c[1]);
    }
  }

  @Test
  void unknownTopLevelKey() {
    assertThat(failure(MINIMAL + "colour: blue\n").key()).isEqualTo("colour");
  }

  @Test
  void schedulesAndOnStartTasksTakeATimeoutAndAnOnDuplicatePolicy() {
    DispatcherConfig config = parse(MINIMAL + """
        schedules:
          rebuild:
            task: app.rebuild
            interval: 10s
            timeout: 2.5
            on_duplicate: discard
        on_start:
          - task: app.warm
            timeout: 500ms
        """);
    assertThat(config.schedules().get(0).submission().timeout()).isEqualTo(java.time.Duration.ofMillis(2500));
    assertThat(config.schedules().get(0).submission().onDuplicate()).isEqualTo(dev.dispatcher.OnDuplicate.DISCARD);
    assertThat(config.onStart().get(0).timeout()).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(config.onStart().get(0).onDuplicate()).isNull();
    assertThat(failure(MINIMAL + "on_start:\n  - task: a\n    on_duplicate: sometimes\n").key()).isEqualTo("on_start[0].on_duplicate");
    assertThat(failure(MINIMAL + "on_start:\n  - task: a\n    timout: 1s\n").key()).isEqualTo("on_start[0].timout");
  }

  @Test
  void theConfigFileIsTheGivenOneElseTheEnvironmentsElseDispatcherYml() {
    java.nio.file.Path given = java.nio.file.Path.of("/etc/given.yml");
    assertThat(ConfigLoader.configFile(given, Map.of("DISPATCHER_CONFIG", "/env.yml"))).isEqualTo(given);
    assertThat(ConfigLoader.configFile(null, Map.of("DISPATCHER_CONFIG", "/env.yml"))).isEqualTo(java.nio.file.Path.of("/env.yml"));
    assertThat(ConfigLoader.configFile(null, Map.of("DISPATCHER_CONFIG", " "))).isEqualTo(java.nio.file.Path.of("dispatcher.yml"));
    assertThat(ConfigLoader.configFile(null, Map.of())).isEqualTo(java.nio.file.Path.of("dispatcher.yml"));
  }

  @Test
  void taskHistogramsAreRecordedWhenTheMetricsAreServedUnlessTurnedOff() {
    assertThat(parse(MINIMAL).http().recordsTaskHistograms()).isFalse();
    assertThat(parse(MINIMAL + "metrics:\n  port: 9180\n").http().recordsTaskHistograms()).isTrue();
    assertThat(parse(MINIMAL + "metrics:\n  port: 9180\n  task_histograms: false\n").http().recordsTaskHistograms()).isFalse();
    assertThat(failure(MINIMAL + "metrics:\n  port: 9180\n  task_histograms: sometimes\n").key()).isEqualTo("metrics.task_histograms");
  }

  @Test
  void aDurableScheduleIsClusterWideAndMayNameItsChannel() {
    DispatcherConfig.Schedule schedule = parse(MINIMAL + "schedules:\n  report:\n    task: app.report\n    interval: 1m\n    durable: true\n"
        + "    channel: reports\n").schedules().get(0);
    assertThat(schedule.durable()).isTrue();
    assertThat(schedule.clusterWide()).isTrue();
    assertThat(schedule.channel()).isEqualTo("reports");
    assertThat(failure(MINIMAL + "schedules:\n  r:\n    task: a.b\n    interval: 1m\n    durable: true\n    cluster_wide: false\n").key())
        .isEqualTo("schedules.r.cluster_wide");
    assertThat(failure(MINIMAL + "schedules:\n  r:\n    task: a.b\n    interval: 1m\n    channel: reports\n").key())
        .isEqualTo("schedules.r.channel");
  }

  @Test
  void durableSettingsHaveDefaultsAndAreChecked() {
    assertThat(parse(MINIMAL).durable()).isEqualTo(DispatcherConfig.Durable.DEFAULT);
    DispatcherConfig.Durable durable = parse(MINIMAL + "durable:\n  lease: 4s\n  heartbeat_interval: 1s\n  poll_interval: 200ms\n"
        + "  completed_retention: 0s\n  claim_batch: 50\n").durable();
    assertThat(durable.lease()).isEqualTo(java.time.Duration.ofSeconds(4));
    assertThat(durable.heartbeatInterval()).isEqualTo(java.time.Duration.ofSeconds(1));
    assertThat(durable.pollInterval()).isEqualTo(java.time.Duration.ofMillis(200));
    assertThat(durable.completedRetention()).isZero();
    assertThat(durable.claimBatch()).isEqualTo(50);
    assertThat(parse(MINIMAL + "durable:\n  enabled: false\n").durable().enabled()).isFalse();
    assertThat(parse(MINIMAL).durable().prefetch()).as("claims for free slots only by default").isZero();
    assertThat(parse(MINIMAL + "durable:\n  prefetch: 500\n").durable().prefetch()).isEqualTo(500);
    assertThat(failure(MINIMAL + "durable:\n  prefetch: -1\n").key()).isEqualTo("durable.prefetch");
    assertThat(parse(MINIMAL).durable().maxResultKib()).as("results up to 64 KiB are kept by default").isEqualTo(64);
    assertThat(parse(MINIMAL + "durable:\n  max_result_kib: 0\n").durable().maxResultKib()).isZero();
    assertThat(failure(MINIMAL + "durable:\n  max_result_kib: 16385\n").key()).isEqualTo("durable.max_result_kib");
    assertThat(parse(MINIMAL).durable().maxPendingCompletions()).as("four completion batches").isEqualTo(4000);
    assertThat(parse(MINIMAL + "durable:\n  max_pending_completions: 20\n").durable().maxPendingCompletions()).isEqualTo(20);
    assertThat(failure(MINIMAL + "durable:\n  max_pending_completions: 0\n").key()).isEqualTo("durable.max_pending_completions");
    assertThat(failure(MINIMAL + "durable:\n  max_pending_completions: 100001\n").key()).isEqualTo("durable.max_pending_completions");
    assertThat(failure(MINIMAL + "durable:\n  lease: 10s\n  heartbeat_interval: 6s\n").key()).isEqualTo("durable.heartbeat_interval");
    assertThat(failure(MINIMAL + "durable:\n  poll_interval: 1ms\n").key()).isEqualTo("durable.poll_interval");
    assertThat(failure(MINIMAL + "durable:\n  claim_batch: 0\n").key()).isEqualTo("durable.claim_batch");
    assertThat(failure(MINIMAL + "durable:\n  leases: 10s\n").key()).isEqualTo("durable.leases");
  }

  @Test
  void chunkLimitsHaveDefaultsAndAreChecked() {
    assertThat(parse(MINIMAL).chunks()).isEqualTo(DispatcherConfig.Chunks.DEFAULT);
    DispatcherConfig config = parse(MINIMAL + "chunks:\n  timeout: 2s\n  max_buffered_mib: 8\n");
    assertThat(config.chunks().timeout()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(config.chunks().maxBufferedBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(failure(MINIMAL + "chunks:\n  max_buffered_mib: 0\n").key()).isEqualTo("chunks.max_buffered_mib");
    assertThat(failure(MINIMAL + "chunks:\n  time_out: 2s\n").key()).isEqualTo("chunks.time_out");
  }

  @Test
  void limitsDefaultToCountsAndAShareOfTheHeap() {
    long heap = Runtime.getRuntime().maxMemory();
    assertThat(parse(MINIMAL).limits()).isEqualTo(DispatcherConfig.Limits.forHeap(heap));
    assertThat(parse(MINIMAL).limits().maxBacklogBytes()).isEqualTo(Math.max(1L << 20, heap / 8));
    assertThat(parse(MINIMAL).limits().maxDelay()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void limitsAreReadAndChecked() {
    DispatcherConfig.Limits limits = parse(MINIMAL + """
        limits:
          max_backlog: 500
          max_backlog_mib: 16
          max_waiting: 600
          max_delayed: 0
          max_waiting_mib: 32
          max_delayed_mib: 8
          max_delay: 2d
          max_timeout: 90m
        """).limits();
    assertThat(limits).isEqualTo(new DispatcherConfig.Limits(500, 16L << 20, 600, 0, 32L << 20, 8L << 20, Duration.ofDays(2),
        Duration.ofMinutes(90)));
    assertThat(failure(MINIMAL + "limits:\n  max_backlog: 0\n").key()).isEqualTo("limits.max_backlog");
    assertThat(failure(MINIMAL + "limits:\n  max_waiting_mib: -1\n").key()).isEqualTo("limits.max_waiting_mib");
    assertThat(failure(MINIMAL + "limits:\n  max_delay: forever\n").key()).isEqualTo("limits.max_delay");
    assertThat(failure(MINIMAL + "limits:\n  max_timeout: 0s\n").key()).isEqualTo("limits.max_timeout");
    assertThat(failure(MINIMAL + "limits:\n  max_queue: 5\n").key()).isEqualTo("limits.max_queue");
  }

  @Test
  void aMisspelledRequiredKeyIsReportedAsUnknownRatherThanMissing() {
    ConfigException error = failure("database:\n  url: postgresql://h/db\nchanels: [a]\n");
    assertThat(error.key()).isEqualTo("chanels");
    assertThat(error.getMessage()).contains("unknown key");
  }

  @Test
  void unknownNestedKeys() {
    assertThat(failure(MINIMAL + "pool:\n  max_worker: 4\n").key()).isEqualTo("pool.max_worker");
    assertThat(failure(MINIMAL + "tasks:\n  package: [a]\n").key()).isEqualTo("tasks.package");
    assertThat(failure("database:\n  url: postgresql://h/db\n  pasword: x\nchannels: [a]\n").key())
        .isEqualTo("database.pasword");
    assertThat(failure(MINIMAL + "schedules:\n  tick:\n    task: t\n    interval: 1s\n    every: 2s\n").key())
        .isEqualTo("schedules.tick.every");
    assertThat(failure(MINIMAL + "on_start:\n  - task: t\n    arg: [1]\n").key()).isEqualTo("on_start[0].arg");
  }

  @Test
  void maxWorkersMustBeAPositiveWholeNumber() {
    for (String value : new String[] {"0", "-1", "\"x\"", "x", "2.5", "10001", "[4]"}) {
      ConfigException e = failure(MINIMAL + "pool:\n  max_workers: " + value + "\n");
      assertThat(e.key()).as(value).isEqualTo("pool.max_workers");
    }
    assertThat(parse(MINIMAL + "pool:\n  max_workers: 1\n").pool().maxWorkers()).isEqualTo(1);
  }

  @Test
  void channelsMustBeListed() {
    assertThat(failure(MINIMAL.replace("channels: [tasks]", "channels: []")).key()).isEqualTo("channels");
    assertThat(failure(MINIMAL.replace("channels: [tasks]\n", "")).key()).isEqualTo("channels");
    assertThat(failure(MINIMAL.replace("channels: [tasks]", "channels: tasks")).key()).isEqualTo("channels");
  }

  @Test
  void tooLongChannelIsNamedByIndex() {
    String tooLong = "c".repeat(64);
    ConfigException e = failure(MINIMAL.replace("[tasks]", "[tasks, " + tooLong + "]"));
    assertThat(e.key()).isEqualTo("channels[1]");
    assertThat(e.getMessage()).contains(tooLong);

    String multiByte = "é".repeat(32); // 32 characters, 64 bytes
    assertThat(failure(MINIMAL.replace("[tasks]", "[" + multiByte + "]")).key()).isEqualTo("channels[0]");
    assertThat(failure(MINIMAL.replace("[tasks]", "[tasks, \"\"]")).key()).isEqualTo("channels[1]");
  }

  @Test
  void duplicateChannel() {
    ConfigException e = failure(MINIMAL.replace("[tasks]", "[tasks, email, tasks]"));
    assertThat(e.key()).isEqualTo("channels");
    assertThat(e.getMessage()).contains("tasks");
  }

  @Test
  void badDefaultPublishChannel() {
    assertThat(failure(MINIMAL + "default_publish_channel: " + "p".repeat(64) + "\n").key())
        .isEqualTo("default_publish_channel");
  }

  @Test
  void databaseUrlIsRequired() {
    assertThat(failure("channels: [tasks]\n").key()).isEqualTo("database.url");
    assertThat(failure("database: {}\nchannels: [tasks]\n").key()).isEqualTo("database.url");
    assertThat(failure("database:\n  listen_url: postgresql://h/db\nchannels: [tasks]\n").key())
        .isEqualTo("database.url");
  }

  @Test
  void environmentUrlSatisfiesAndOverridesTheFile() {
    Map<String, String> env = Map.of(ConfigLoader.ENV_DATABASE_URL, "postgresql://envuser:envpw@env.example.com/envdb");

    DispatcherConfig withoutFileUrl = parse("channels: [tasks]\n", env);
    assertThat(withoutFileUrl.database().url())
        .isEqualTo(new DatabaseUrl("env.example.com", 5432, "envdb", "envuser", "envpw", Map.of()));

    DispatcherConfig overridden = parse(MINIMAL, env);
    assertThat(overridden.database().url().host()).isEqualTo("env.example.com");

    DispatcherConfig blankEnv = parse(MINIMAL, Map.of(ConfigLoader.ENV_DATABASE_URL, "  "));
    assertThat(blankEnv.database().url().host()).isEqualTo("db");
  }

  @Test
  void badDatabaseUrlIsNamedByWhereItCameFrom() {
    ConfigException inFile = failure(MINIMAL.replace("postgresql://app@db/app", "not a url"));
    assertThat(inFile.key()).isEqualTo("database.url");

    ConfigException inListen = failure(MINIMAL.replace("database:\n", "database:\n  listen_url: \"host=h colour=x\"\n"));
    assertThat(inListen.key()).isEqualTo("database.listen_url");
    assertThat(inListen.getMessage()).contains("colour");

    ConfigException inEnv = failure(MINIMAL, Map.of(ConfigLoader.ENV_DATABASE_URL, "nonsense"));
    assertThat(inEnv.key()).isEqualTo(ConfigLoader.ENV_DATABASE_URL);
  }

  /** BUG: sslmode=bogus passed, and the daemon then failed every reconnect for ever. */
  @Test
  void theSchemaIsDispatcherByDefaultAndMustBeAPlainLowerCaseIdentifier() {
    assertThat(parse(MINIMAL).database().schema()).isEqualTo("dispatcher");
    assertThat(parse(MINIMAL.replace("database:\n", "database:\n  schema: tenant_7\n")).database().schema()).isEqualTo("tenant_7");
    for (String bad : List.of("Dispatcher", "7th", "pg_mine", "a-b", "\"x\"", "a".repeat(64), "my schema", "x;drop")) {
      ConfigException e = failure(MINIMAL.replace("database:\n", "database:\n  schema: '" + bad + "'\n"));
      assertThat(e.key()).as(bad).isEqualTo("database.schema");
      assertThat(e.getMessage()).contains("must be a lower-case identifier").contains(bad);
    }
  }

  @Test
  void aBadConnectionOptionIsAnErrorNamingTheKey() {
    ConfigException inFile = failure(MINIMAL.replace("postgresql://app@db/app", "postgresql://app@db/app?sslmode=bogus"));
    assertThat(inFile.getMessage())
        .isEqualTo("database.url: sslmode 'bogus' is not one of disable, allow, prefer, require, verify-ca, verify-full");

    ConfigException inListen = failure(MINIMAL.replace("database:\n", "database:\n  listen_url: \"host=h connect_timeout=soon\"\n"));
    assertThat(inListen.getMessage()).isEqualTo("database.listen_url: connect_timeout 'soon' is not a whole number");

    ConfigException inEnv = failure(MINIMAL, Map.of(ConfigLoader.ENV_DATABASE_URL, "postgresql://app@db/app?sslmod=require"));
    assertThat(inEnv.getMessage()).startsWith(ConfigLoader.ENV_DATABASE_URL + ": unknown option 'sslmod'");
  }

  @Test
  void environmentPasswordFillsThePassword() {
    Map<String, String> env = Map.of(ConfigLoader.ENV_DATABASE_PASSWORD, "from-env");
    DispatcherConfig config = parse("""
        database:
          url: postgresql://app@db/app
          listen_url: "host=direct user=app"
        channels: [tasks]
        """, env);

    assertThat(config.database().url().password()).isEqualTo("from-env");
    assertThat(config.database().listenUrl().password()).isEqualTo("from-env");
    assertThat(config.database().url().toString()).doesNotContain("from-env");
  }

  @Test
  void filePasswordFillsThePasswordWhenTheEnvironmentHasNone() {
    DispatcherConfig config = parse("database:\n  url: postgresql://app@db/app\n  password: in-file\nchannels: [a]\n");
    assertThat(config.database().url().password()).isEqualTo("in-file");
  }

  @Test
  void scheduleNeedsAnInterval() {
    ConfigException e = failure(MINIMAL + "schedules:\n  nightly:\n    task: app.nightly\n");
    assertThat(e.key()).isEqualTo("schedules.nightly.interval");
    assertThat(failure(MINIMAL + "schedules:\n  nightly:\n    task: app.nightly\n    interval: 0s\n").key())
        .isEqualTo("schedules.nightly.interval");
    assertThat(failure(MINIMAL + "schedules:\n  nightly:\n    interval: 1s\n").key())
        .isEqualTo("schedules.nightly.task");
  }

  @Test
  void cronSchedulesWithTimezoneAndClusterWide() {
    DispatcherConfig config = parse(MINIMAL + """
        schedules:
          five:
            task: app.five
            cron: "*/5 * * * *"
            timezone: Europe/Paris
            cluster_wide: true
          nightly:
            task: app.nightly
            cron: 0 3 * * MON-FRI
            run_at_start: true
          shared:
            task: app.shared
            interval: 10s
            cluster_wide: true
            run_at_start: true
        """);
    DispatcherConfig.Submission five = new DispatcherConfig.Submission("schedules.five.task", "app.five", List.of(), Map.of());
    DispatcherConfig.Submission nightly = new DispatcherConfig.Submission("schedules.nightly.task", "app.nightly", List.of(), Map.of());
    DispatcherConfig.Submission shared = new DispatcherConfig.Submission("schedules.shared.task", "app.shared", List.of(), Map.of());
    assertThat(config.schedules()).containsExactly(
        new DispatcherConfig.Schedule("five", five, null, CronExpression.parse("*/5 * * * *"), ZoneId.of("Europe/Paris"), false, true),
        new DispatcherConfig.Schedule("nightly", nightly, null, CronExpression.parse("0 3 * * 1-5"), ZoneId.of("UTC"), true, false),
        new DispatcherConfig.Schedule("shared", shared, Duration.ofSeconds(10), null, ZoneId.of("UTC"), true, true));
    assertThat(config.schedules().get(1).timezone()).isEqualTo(DispatcherConfig.Schedule.DEFAULT_TIMEZONE);
    assertThat(config.schedules().get(0).cron()).hasToString("*/5 * * * *");
  }

  @Test
  void intervalSchedulesAreLocalByDefault() {
    DispatcherConfig.Schedule schedule = parse(FULL).schedules().get(0);
    assertThat(schedule.clusterWide()).isFalse();
    assertThat(schedule.cron()).isNull();
    assertThat(schedule.interval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aScheduleHasExactlyOneOfIntervalAndCron() {
    ConfigException both = failure(MINIMAL + "schedules:\n  x:\n    task: t\n    interval: 1s\n    cron: \"* * * * *\"\n");
    assertThat(both.key()).isEqualTo("schedules.x.cron");
    assertThat(both.getMessage()).contains("either interval or cron, not both");

    ConfigException neither = failure(MINIMAL + "schedules:\n  x:\n    task: t\n    timezone: UTC\n");
    assertThat(neither.key()).isEqualTo("schedules.x.interval");
    assertThat(neither.getMessage()).contains("unless cron is given");
  }

  @Test
  void anInvalidCronNamesTheKeyAndTheField() {
    ConfigException minute = failure(MINIMAL + "schedules:\n  x:\n    task: t\n    cron: \"61 * * * *\"\n");
    assertThat(minute.key()).isEqualTo("schedules.x.cron");
    assertThat(minute.getMessage()).isEqualTo("schedules.x.cron: invalid cron expression '61 * * * *': minute field '61': 61 is out of range 0-59");

    ConfigException weekday = failure(MINIMAL + "schedules:\n  x:\n    task: t\n    cron: \"0 0 * * FUNDAY\"\n");
    assertThat(weekday.key()).isEqualTo("schedules.x.cron");
    assertThat(weekday.getMessage()).contains("day-of-week field 'FUNDAY'");

    ConfigException fields = failure(MINIMAL + "schedules:\n  x:\n    task: t\n    cron: \"*/5 * * *\"\n");
    assertThat(fields.key()).isEqualTo("schedules.x.cron");
    assertThat(fields.getMessage()).contains("expected 5 fields");

    assertThat(failure(MINIMAL + "schedules:\n  x:\n    task: t\n    cron: [1]\n").key()).isEqualTo("schedules.x.cron");
  }

  @Test
  void timezoneMustBeKnownAndOnlyGoesWithCron() {
    ConfigException unknown = failure(MINIMAL + "schedules:\n  x:\n    task: t\n    cron: \"0 3 * * *\"\n    timezone: Europe/Pariss\n");
    assertThat(unknown.key()).isEqualTo("schedules.x.timezone");
    assertThat(unknown.getMessage()).contains("unknown time zone 'Europe/Pariss'");

    ConfigException withInterval = failure(MINIMAL + "schedules:\n  x:\n    task: t\n    interval: 1s\n    timezone: UTC\n");
    assertThat(withInterval.key()).isEqualTo("schedules.x.timezone");
    assertThat(withInterval.getMessage()).contains("only applies to cron schedules");
  }

  @Test
  void clusterWideMustBeABooleanAndCannotRunACronAtStart() {
    assertThat(failure(MINIMAL + "schedules:\n  x:\n    task: t\n    interval: 1s\n    cluster_wide: yes please\n").key())
        .isEqualTo("schedules.x.cluster_wide");
    ConfigException runAtStart = failure(MINIMAL
        + "schedules:\n  x:\n    task: t\n    cron: \"0 3 * * *\"\n    cluster_wide: true\n    run_at_start: true\n");
    assertThat(runAtStart.key()).isEqualTo("schedules.x.run_at_start");
    assertThat(runAtStart.getMessage()).contains("cluster-wide cron");
  }

  @Test
  void aMisspeltScheduleKeyIsReportedAsUnknownRatherThanAsAMissingInterval() {
    ConfigException e = failure(MINIMAL + "schedules:\n  x:\n    task: t\n    crom: \"* * * * *\"\n");
    assertThat(e.key()).isEqualTo("schedules.x.crom");
    assertThat(e.getMessage()).contains("unknown key").contains("cron").contains("cluster_wide").contains("timezone");
  }

  @Test
  void badDurations() {
    for (String value : new String[] {"soon", "10 parsecs", "-5", "\"-5s\"", "1w", "true", "[1]"}) {
      assertThat(failure(MINIMAL + "pool:\n  shutdown_grace_period: " + value + "\n").key())
          .as(value).isEqualTo("pool.shutdown_grace_period");
    }
    assertThat(failure(MINIMAL + "schedules:\n  tick:\n    task: t\n    interval: often\n").key())
        .isEqualTo("schedules.tick.interval");
  }

  @Test
  void onStartItemNeedsATask() {
    assertThat(failure(MINIMAL + "on_start:\n  - args: [1]\n").key()).isEqualTo("on_start[0].task");
    assertThat(failure(MINIMAL + "on_start:\n  - task: a\n  - task: \"  \"\n").key()).isEqualTo("on_start[1].task");
    assertThat(failure(MINIMAL + "on_start:\n  - app.a\n").key()).isEqualTo("on_start[0]");
    assertThat(failure(MINIMAL + "on_start:\n  - task: a\n    args: {x: 1}\n").key()).isEqualTo("on_start[0].args");
  }

  @Test
  void documentMustBeAMapping() {
    assertThat(failure("- a\n- b\n").key()).isEqualTo("(document)");
    assertThat(failure("just text\n").key()).isEqualTo("(document)");
  }

  @Test
  void invalidYamlNamesTheSourceAndLine() {
    ConfigException e = failure(MINIMAL + "pool:\n  max_workers: 4\n   shutdown_grace_period: 1s: x\n");
    assertThat(e.key()).isEqualTo("(test.yml)");
    assertThat(e.getMessage()).contains("line 6");

    ConfigException unclosed = failure("channels: [a, b\n");
    assertThat(unclosed.key()).isEqualTo("(test.yml)");
    assertThat(unclosed.getMessage()).containsPattern("line \\d+");
  }

  @Test
  void duplicateYamlKeysAreRejected() {
    ConfigException e = failure(MINIMAL + "node_id: a\nchannels: [other]\n");
    assertThat(e.key()).isEqualTo("(test.yml)");
    assertThat(e.getMessage()).contains("duplicate key channels").contains("line 5");
  }

  @Test
  void sectionOfTheWrongShape() {
    assertThat(failure(MINIMAL + "pool: 4\n").key()).isEqualTo("pool");
    assertThat(failure(MINIMAL + "schedules:\n  tick: 5\n").key()).isEqualTo("schedules.tick");
    assertThat(failure(MINIMAL + "hooks: [com.example.Hook, 5]\n").key()).isEqualTo("hooks[1]");
  }
}
