package dev.dispatcher.service.producers;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.cron.CronExpression;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.TickClaims;
import dev.dispatcher.service.testing.FakeTimer;
import dev.dispatcher.wire.WireFormat;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The producer with a settable clock, a timer that runs entries only when the test says so, and
 * claims in memory: every tick is driven by hand, nothing sleeps.
 */
class ScheduleProducerTest {

  private static final Executor DIRECT = Runnable::run;
  private static final Instant T0 = Instant.parse("2025-06-10T10:00:00.250Z");

  private final Logger logger = (Logger) LoggerFactory.getLogger(ScheduleProducer.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Level previousLevel;

  @BeforeEach
  void captureLogs() {
    previousLevel = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
    logger.setLevel(previousLevel);
  }

  // ---------------------------------------------------------------- fixtures

  /** A clock the test sets. */
  static final class TestClock extends Clock {
    private Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** The claims table of one database, shared by the nodes of a test. */
  static final class SharedTicks {
    final Map<String, String> claimedBy = new HashMap<>(); // "schedule@tick" -> node
    int prepared;
    int purged;

    TickClaims node(String nodeId) {
      return new TickClaims() {
        @Override
        public void prepare() {
          prepared++;
        }

        @Override
        public boolean claim(String schedule, Instant tick) {
          return claimedBy.putIfAbsent(schedule + "@" + tick, nodeId) == null;
        }

        @Override
        public int purge() {
          purged++;
          return 0;
        }
      };
    }
  }

  /** A node: its own timer, clock and submitted messages. */
  final class Node {
    final FakeTimer timer = new FakeTimer();
    final TestClock clock;
    final List<TaskMessage> submitted = new ArrayList<>();
    final ScheduleProducer producer;

    Node(List<DispatcherConfig.Schedule> schedules, Instant start, TickClaims claims, Executor claimExecutor) {
      this(schedules, start, claims, claimExecutor, null);
    }

    Node(List<DispatcherConfig.Schedule> schedules, Instant start, TickClaims claims, Executor claimExecutor, Consumer<TaskMessage> sink) {
      this(schedules, start, claims, claimExecutor, sink, null);
    }

    Node(List<DispatcherConfig.Schedule> schedules, Instant start, TickClaims claims, Executor claimExecutor, Consumer<TaskMessage> sink,
        DurableTasks durableRows) {
      clock = new TestClock(start);
      producer = new ScheduleProducer(schedules, timer, sink != null ? sink : submitted::add, WireFormat.newObjectMapper(), claims,
          durableRows, "tasks", clock, claimExecutor);
    }

    /** Sets the clock to when the pending entry is due (plus {@code late}) and runs it. */
    void runNext(Duration late) {
      FakeTimer.Entry entry = timer.single();
      clock.set(clock.instant().plusNanos(entry.getDelay(TimeUnit.NANOSECONDS)).plus(late));
      timer.run(entry);
    }

    void runNext() {
      runNext(Duration.ZERO);
    }

    Duration pendingDelay() {
      return Duration.ofNanos(timer.single().getDelay(TimeUnit.NANOSECONDS));
    }

    List<String> ticks() {
      return submitted.stream().map(m -> m.raw().get("schedule_tick").asText()).toList();
    }
  }

  private static DispatcherConfig.Submission task(String name) {
    return new DispatcherConfig.Submission("schedules.x.task", name, List.of(1, "two"), Map.of("flag", true));
  }

  private static DispatcherConfig.Schedule interval(String name, Duration interval, boolean runAtStart, boolean clusterWide) {
    return new DispatcherConfig.Schedule(name, task("app." + name), interval, null, null, runAtStart, clusterWide);
  }

  private static DispatcherConfig.Schedule cron(String name, String expression, String zone, boolean clusterWide) {
    return new DispatcherConfig.Schedule(name, task("app." + name), null, CronExpression.parse(expression), ZoneId.of(zone), false,
        clusterWide);
  }

  /** A durable table that keeps the rows enqueued into it, each uuid once (as the real one does). */
  private static final class RowsByUuid {
    final Map<String, String> rows = new java.util.concurrent.ConcurrentHashMap<>();

    DurableTasks table() {
      return (DurableTasks) java.lang.reflect.Proxy.newProxyInstance(DurableTasks.class.getClassLoader(), new Class<?>[] {DurableTasks.class},
          (proxy, method, args) -> {
            if (!method.getName().equals("enqueue")) {
              throw new UnsupportedOperationException(method.getName());
            }
            String json = (String) args[0];
            return rows.putIfAbsent(WireFormat.newObjectMapper().readTree(json).get("uuid").asText(), json) == null;
          });
    }
  }

  @Test
  void aDurableScheduleEnqueuesOneRowPerTickHoweverManyNodesFireIt() throws Exception {
    RowsByUuid table = new RowsByUuid();
    DispatcherConfig.Schedule durable = new DispatcherConfig.Schedule("report", task("app.report"), Duration.ofMinutes(1), null, null,
        false, true, true, "reports");
    List<Node> nodes = List.of(durableNode(durable, table), durableNode(durable, table));
    for (Node node : nodes) {
      node.producer.start();
      node.runNext();
    }

    assertThat(table.rows).hasSize(1);
    com.fasterxml.jackson.databind.JsonNode row = WireFormat.newObjectMapper().readTree(table.rows.values().iterator().next());
    assertThat(row.get("task").asText()).isEqualTo("app.report");
    assertThat(row.get("channel").asText()).isEqualTo("reports");
    assertThat(row.get("args").toString()).isEqualTo("[1,\"two\"]");
    assertThat(row.get("kwargs").toString()).isEqualTo("{\"flag\":true}");
    assertThat(row.get("schedule_tick").asText()).isEqualTo("2025-06-10T10:01:00Z");
    assertThat(row.get("uuid").asText()).isEqualTo(ScheduleProducer.tickUuid("report", Instant.parse("2025-06-10T10:01:00Z")));
    assertThat(nodes).allSatisfy(node -> assertThat(node.submitted).as("nothing goes to the backlog").isEmpty());

    nodes.get(0).runNext();
    assertThat(table.rows).as("the next tick is a row of its own").hasSize(2);
  }

  private Node durableNode(DispatcherConfig.Schedule schedule, RowsByUuid table) {
    return new Node(List.of(schedule), T0, new SharedTicks().node("n"), DIRECT, null, table.table());
  }

  private Node localNode(DispatcherConfig.Schedule... schedules) {
    return new Node(List.of(schedules), T0, new SharedTicks().node("local"), DIRECT);
  }

  private List<String> messages(Level level) {
    return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  // ---------------------------------------------------------------- local interval

  @Test
  void anIntervalScheduleFirstFiresOneIntervalAfterStartThenEveryInterval() {
    Node node = localNode(interval("tick", Duration.ofSeconds(2), false, false));
    node.producer.start();

    assertThat(node.submitted).isEmpty();
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofSeconds(2));

    node.runNext();
    assertThat(node.submitted).hasSize(1);
    TaskMessage first = node.submitted.get(0);
    assertThat(first.task()).isEqualTo("app.tick");
    assertThat(first.raw().get("origin").asText()).isEqualTo("schedule:tick");
    assertThat(first.raw().get("schedule_tick").asText()).isEqualTo("2025-06-10T10:00:02.250Z");
    assertThat(first.args().toString()).isEqualTo("[1,\"two\"]");
    assertThat(first.kwargs().toString()).isEqualTo("{\"flag\":true}");
    assertThat(first.timePub()).isEqualTo(T0.plusSeconds(2).getEpochSecond() + 0.25);
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofSeconds(2));

    // the timer is 3 ms late: the tick keeps its place and the next delay makes up for it (no drift)
    node.runNext(Duration.ofMillis(3));
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofMillis(1997));
    node.runNext();
    assertThat(node.ticks()).containsExactly("2025-06-10T10:00:02.250Z", "2025-06-10T10:00:04.250Z", "2025-06-10T10:00:06.250Z");
    assertThat(node.submitted).extracting(TaskMessage::uuid).doesNotHaveDuplicates().hasSize(3);
  }

  @Test
  void runAtStartFiresRightAway() {
    Node node = localNode(interval("boot", Duration.ofHours(1), true, false));
    node.producer.start();

    assertThat(node.pendingDelay()).isZero();
    node.runNext();
    assertThat(node.ticks()).containsExactly(T0.toString());
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void missedTicksAreSkippedNotCaughtUp() {
    Node node = localNode(interval("tick", Duration.ofSeconds(1), false, false));
    node.producer.start();
    node.runNext(); // 10:00:01.250

    node.runNext(Duration.ofMillis(8500)); // the daemon was paused: the 10:00:02.250 tick runs at 10:00:10.750
    assertThat(node.ticks()).containsExactly("2025-06-10T10:00:01.250Z", "2025-06-10T10:00:02.250Z");
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofMillis(500)); // next: 10:00:11.250, not 03.250
    node.runNext();
    node.runNext();
    assertThat(node.ticks()).endsWith("2025-06-10T10:00:11.250Z", "2025-06-10T10:00:12.250Z");
    assertThat(messages(Level.WARN)).singleElement().asString().contains("schedule tick: running late")
        .contains("after 2025-06-10T10:00:02.250Z and before 2025-06-10T10:00:11.250Z skipped");
  }

  @Test
  void aClockSetBackDoesNotHoldALocalIntervalUp() {
    Node node = localNode(interval("tick", Duration.ofSeconds(10), false, false));
    node.producer.start();
    node.runNext();
    node.clock.set(node.clock.instant().minus(Duration.ofHours(1)));
    node.timer.run(node.timer.single()); // the timer (monotonic) fires after 10 s; the wall clock says an hour earlier
    assertThat(node.submitted).hasSize(2);
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofSeconds(10)); // not an hour and 10 s
  }

  @Test
  void aFailingSubmissionDoesNotStopTheSchedule() {
    AtomicInteger calls = new AtomicInteger();
    List<TaskMessage> accepted = new ArrayList<>();
    Node node = new Node(List.of(interval("tick", Duration.ofSeconds(1), false, false)), T0, new SharedTicks().node("n"), DIRECT,
        message -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("queue unavailable");
          }
          accepted.add(message);
        });
    node.producer.start();
    node.runNext();
    node.runNext();
    assertThat(calls).hasValue(2);
    assertThat(accepted).hasSize(1);
    assertThat(node.timer.pending()).hasSize(1);
    assertThat(messages(Level.ERROR)).singleElement().asString().contains("schedule tick: tick").contains("queue unavailable");
  }

  // ---------------------------------------------------------------- cron

  @Test
  void aCronScheduleFiresAtTheExpressionsTimesInItsZone() {
    Instant start = Instant.parse("2025-06-10T08:02:30Z"); // 10:02:30 in Paris
    Node node = new Node(List.of(cron("five", "*/5 * * * *", "Europe/Paris", false)), start, new SharedTicks().node("n"), DIRECT);
    node.producer.start();

    assertThat(node.pendingDelay()).isEqualTo(Duration.ofSeconds(150));
    node.runNext();
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofMinutes(5));
    node.runNext(Duration.ofMillis(40));
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofMinutes(5).minusMillis(40));
    assertThat(node.ticks()).containsExactly("2025-06-10T08:05:00Z", "2025-06-10T08:10:00Z");
    assertThat(node.submitted.get(0).raw().get("origin").asText()).isEqualTo("schedule:five");
  }

  @Test
  void aLongWaitIsCutIntoHoursAndTheTickFiresOnTime() {
    Instant start = Instant.parse("2025-06-10T08:30:00Z"); // 10:30 in Paris; next 09:00 Paris is 07:00Z tomorrow
    Node node = new Node(List.of(cron("daily", "0 9 * * *", "Europe/Paris", false)), start, new SharedTicks().node("n"), DIRECT);
    node.producer.start();

    int wakeUps = 0;
    while (node.submitted.isEmpty()) {
      assertThat(node.pendingDelay()).isLessThanOrEqualTo(Duration.ofHours(1));
      node.runNext();
      wakeUps++;
    }
    assertThat(wakeUps).isEqualTo(23); // 22 h 30 min: 22 full hours, then the last 30 minutes
    assertThat(node.clock.instant()).isEqualTo(Instant.parse("2025-06-11T07:00:00Z"));
    assertThat(node.ticks()).containsExactly("2025-06-11T07:00:00Z");
  }

  @Test
  void aWallClockTickNeverFiresBeforeTheClockReachesIt() {
    Instant start = Instant.parse("2025-06-10T08:04:00Z");
    Node node = new Node(List.of(cron("five", "*/5 * * * *", "UTC", false)), start, new SharedTicks().node("n"), DIRECT);
    node.producer.start();
    FakeTimer.Entry entry = node.timer.single();
    node.clock.set(Instant.parse("2025-06-10T08:04:59.995Z")); // the timer is ahead of the wall clock
    node.timer.run(entry);
    assertThat(node.submitted).isEmpty();
    assertThat(node.pendingDelay()).isEqualTo(Duration.ofMillis(5));
    node.runNext();
    assertThat(node.ticks()).containsExactly("2025-06-10T08:05:00Z");
  }

  // ---------------------------------------------------------------- cluster-wide

  @Test
  void clusterWideTicksAreSharedAndEachFiresOnOneNodeOnly() {
    SharedTicks database = new SharedTicks();
    DispatcherConfig.Schedule schedule = interval("shared", Duration.ofSeconds(1), false, true);
    Node a = new Node(List.of(schedule), Instant.parse("2025-06-10T10:00:00.250Z"), database.node("a"), DIRECT);
    Node b = new Node(List.of(schedule), Instant.parse("2025-06-10T10:00:00.700Z"), database.node("b"), DIRECT);
    a.producer.start();
    b.producer.start();
    // both aim at the same whole second, whatever their start
    assertThat(a.pendingDelay()).isEqualTo(Duration.ofMillis(750));
    assertThat(b.pendingDelay()).isEqualTo(Duration.ofMillis(300));

    for (int i = 0; i < 6; i++) {
      Node first = i % 3 == 0 ? b : a;
      Node second = first == a ? b : a;
      first.runNext(Duration.ofMillis(2));
      second.runNext(Duration.ofMillis(15));
    }
    List<String> all = new ArrayList<>(a.ticks());
    all.addAll(b.ticks());
    assertThat(all).hasSize(6).doesNotHaveDuplicates()
        .containsExactlyInAnyOrder("2025-06-10T10:00:01Z", "2025-06-10T10:00:02Z", "2025-06-10T10:00:03Z", "2025-06-10T10:00:04Z",
            "2025-06-10T10:00:05Z", "2025-06-10T10:00:06Z");
    assertThat(b.ticks()).containsExactly("2025-06-10T10:00:01Z", "2025-06-10T10:00:04Z");
    assertThat(database.claimedBy).hasSize(6).containsEntry("shared@2025-06-10T10:00:02Z", "a");
    assertThat(messages(Level.DEBUG)).filteredOn(m -> m.contains("claimed by another node")).hasSize(6);
  }

  @Test
  void clusterWideRunAtStartRunsTheCurrentTickUnlessANodeAlreadyDid() {
    SharedTicks database = new SharedTicks();
    DispatcherConfig.Schedule schedule = interval("hourly", Duration.ofHours(1), true, true);
    Node a = new Node(List.of(schedule), Instant.parse("2025-06-10T10:20:00Z"), database.node("a"), DIRECT);
    a.producer.start();
    assertThat(a.pendingDelay()).isZero();
    a.runNext();
    assertThat(a.ticks()).containsExactly("2025-06-10T10:00:00Z");
    assertThat(a.pendingDelay()).isEqualTo(Duration.ofMinutes(40));

    Node b = new Node(List.of(schedule), Instant.parse("2025-06-10T10:45:00Z"), database.node("b"), DIRECT);
    b.producer.start();
    b.runNext();
    assertThat(b.submitted).isEmpty();
    assertThat(b.pendingDelay()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void whenTheDatabaseIsDownTicksAreSkippedLoggedOnceAndTheScheduleCarriesOn() {
    AtomicInteger failures = new AtomicInteger(3);
    SharedTicks database = new SharedTicks();
    TickClaims healthy = database.node("a");
    TickClaims flaky = new TickClaims() {
      @Override
      public void prepare() throws SQLException {
        healthy.prepare();
      }

      @Override
      public boolean claim(String schedule, Instant tick) throws SQLException {
        if (failures.getAndDecrement() > 0) {
          throw new SQLException("Connection to 127.0.0.1:5432 refused", "08001");
        }
        return healthy.claim(schedule, tick);
      }

      @Override
      public int purge() throws SQLException {
        return healthy.purge();
      }
    };
    Node node = new Node(List.of(interval("report", Duration.ofSeconds(1), false, true)), T0, flaky, DIRECT);
    node.producer.start();

    for (int i = 0; i < 3; i++) {
      node.runNext();
      assertThat(node.timer.pending()).as("the next tick is set").hasSize(1);
    }
    assertThat(node.submitted).isEmpty();
    assertThat(messages(Level.WARN)).singleElement().asString()
        .contains("schedule report: tick 2025-06-10T10:00:01Z skipped, the database is unreachable")
        .contains("Connection to 127.0.0.1:5432 refused");

    node.runNext();
    assertThat(node.ticks()).containsExactly("2025-06-10T10:00:04Z");
    assertThat(messages(Level.INFO)).filteredOn(m -> m.contains("answers again")).singleElement().asString()
        .contains("schedule report: the database answers again (3 tick(s) skipped meanwhile)");
    assertThat(messages(Level.WARN)).hasSize(1);
  }

  @Test
  void aTickIsSkippedWhileTheClaimOfTheLastOneIsStillWaiting() {
    ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    SharedTicks database = new SharedTicks();
    Node node = new Node(List.of(interval("slow", Duration.ofSeconds(1), false, true)), T0, database.node("a"), waiting::add);
    node.producer.start();
    waiting.poll().run(); // prepare and purge at start

    node.runNext(); // 10:00:01: the claim waits for the database
    assertThat(waiting).hasSize(1);
    node.runNext(); // 10:00:02: skipped, no second claim piles up
    assertThat(waiting).hasSize(1);
    waiting.poll().run();
    node.runNext(); // 10:00:03
    waiting.poll().run();

    assertThat(node.ticks()).containsExactly("2025-06-10T10:00:01Z", "2025-06-10T10:00:03Z");
    assertThat(database.claimedBy).containsOnlyKeys("slow@2025-06-10T10:00:01Z", "slow@2025-06-10T10:00:03Z");
    assertThat(messages(Level.WARN)).singleElement().asString()
        .contains("schedule slow: tick 2025-06-10T10:00:02Z skipped, the claim of an earlier tick is still waiting for the database");
  }

  @Test
  void clusterWideSchedulesPrepareTheTableAndPurgeOldClaimsHourly() {
    SharedTicks database = new SharedTicks();
    Node node = new Node(List.of(interval("shared", Duration.ofSeconds(5), false, true)), T0, database.node("a"), DIRECT);
    node.producer.start();
    assertThat(database.prepared).isEqualTo(1);
    assertThat(database.purged).isEqualTo(1);
    FakeTimer.Entry purge = node.timer.periodic().get(0);
    assertThat(purge.getDelay(TimeUnit.NANOSECONDS)).isEqualTo(Duration.ofHours(1).toNanos());
    assertThat(purge.periodNanos).isEqualTo(Duration.ofHours(1).toNanos());
    purge.task.run();
    assertThat(database.purged).isEqualTo(2);

    node.producer.close();
    assertThat(node.timer.periodic()).isEmpty();
  }

  @Test
  void localSchedulesDoNotTouchTheDatabase() {
    SharedTicks database = new SharedTicks();
    Node node = new Node(List.of(interval("tick", Duration.ofSeconds(1), false, false), cron("c", "* * * * *", "UTC", false)), T0,
        database.node("a"), task -> {
          throw new AssertionError("no claim expected");
        });
    node.producer.start();
    node.timer.pending().forEach(node.timer::run);
    assertThat(database.prepared).isZero();
    assertThat(database.claimedBy).isEmpty();
    assertThat(node.timer.periodic()).isEmpty();
  }

  // ---------------------------------------------------------------- lifecycle and logs

  @Test
  void closeCancelsTheNextTickAndNothingFiresAfterIt() {
    ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    Node node = new Node(List.of(interval("shared", Duration.ofSeconds(1), false, true), interval("local", Duration.ofSeconds(1), false, false)),
        T0, new SharedTicks().node("a"), waiting::add);
    node.producer.start();
    waiting.clear();
    List<FakeTimer.Entry> entries = node.timer.pending();
    node.clock.set(T0.plusSeconds(1));
    node.timer.run(entries.get(0)); // the claim is in flight
    node.producer.close();
    assertThat(entries.get(1).isCancelled()).isTrue();
    assertThat(node.timer.pending()).isEmpty();
    waiting.poll().run(); // the claim comes back after close
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void startLogsOneLinePerScheduleAndEachFireAtDebug() {
    Node node = localNode(
        interval("every", Duration.ofSeconds(2), false, false),
        interval("shared", Duration.ofSeconds(10), false, true),
        cron("nightly", "30 2 * * *", "Europe/Paris", false),
        interval("boot", Duration.ofMinutes(5), true, false));
    node.producer.start();

    assertThat(messages(Level.INFO)).containsExactly(
        "schedule every: task app.every, every 2s, this node only, first at 2025-06-10T10:00:02.250Z",
        "schedule shared: task app.shared, every 10s (ticks at multiples of 10s since the epoch), cluster-wide,"
            + " first at 2025-06-10T10:00:10Z",
        "schedule nightly: task app.nightly, cron '30 2 * * *' in Europe/Paris, this node only, first at 2025-06-11T02:30:00+02:00",
        "schedule boot: task app.boot, every 5m, this node only, first at 2025-06-10T10:00:00.250Z (run at start)");

    FakeTimer.Entry every = node.timer.pending().get(0);
    node.clock.set(T0.plusSeconds(2));
    node.timer.run(every);
    String uuid = node.submitted.get(0).uuid();
    assertThat(messages(Level.DEBUG)).filteredOn(m -> m.contains("fired")).singleElement().asString()
        .isEqualTo("schedule every: tick 2025-06-10T10:00:02.250Z fired task app.every as " + uuid);
  }
}
