package dev.dispatcher.service.producers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.intake.Backlog;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.producers.schedule.Timing;
import dev.dispatcher.service.storage.DurableTasks;
import dev.dispatcher.service.storage.TickClaims;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the configured schedules on the daemon's timer. Each schedule has one timer entry at a
 * time, set for its next tick (see {@link Timing}); when it fires, the next tick is computed and
 * set. Each tick submits a new task message with its own uuid, {@code "origin": "schedule:<name>"}
 * and {@code "schedule_tick"} (the tick, an ISO instant).
 *
 * <p>A {@code cluster_wide} tick fires only on the node that claims it first in the database
 * ({@link TickClaims}). Claims run on a virtual thread, never on the timer. When the database
 * does not answer, the tick is skipped (logged once per outage, with the schedule's name) and the
 * schedule carries on. Old claims are purged at start and then every hour.
 *
 * <p>Ticks missed because the daemon was paused (or the clock jumped forward) are skipped, not
 * caught up. A timer entry is never set for longer than an hour (a local interval: one interval),
 * so a clock change or a suspended machine cannot hold a schedule up for longer than that.
 */
public final class ScheduleProducer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ScheduleProducer.class);

  /** How often claims older than a day are deleted. */
  static final Duration PURGE_PERIOD = Duration.ofHours(1);
  /** The longest one timer entry waits; past it, the entry is set again for the rest. */
  static final Duration MAX_TIMER_WAIT = Duration.ofHours(1);

  private static final Executor VIRTUAL_THREADS = task -> Thread.ofVirtual().name("schedule-claim").start(task);

  private final List<Running> schedules = new ArrayList<>();
  private final ScheduledExecutorService timer;
  private final Consumer<TaskMessage> submit;
  private final LocalMessages messages;
  private final TickClaims claims;
  private final DurableTasks durableRows;
  private final String defaultChannel;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Executor claimExecutor;
  private volatile boolean closed;
  private volatile ScheduledFuture<?> purge;

  /**
   * @param claims where cluster-wide ticks are claimed (the storage's)
   * @param durableRows where the ticks of durable schedules enqueue their rows
   * @param defaultChannel where they go unless the schedule names a channel
   * @param clock the time ticks are computed in ({@code Clock.systemUTC()} in the daemon)
   */
  public ScheduleProducer(List<DispatcherConfig.Schedule> schedules, ScheduledExecutorService timer, Backlog backlog,
      ObjectMapper mapper, TickClaims claims, DurableTasks durableRows, String defaultChannel, Clock clock) {
    this(schedules, timer, backlog::local, mapper, claims, durableRows, defaultChannel, clock, VIRTUAL_THREADS);
  }

  /** For tests: where messages go, how ticks are claimed and where claims run. */
  ScheduleProducer(List<DispatcherConfig.Schedule> schedules, ScheduledExecutorService timer, Consumer<TaskMessage> submit,
      ObjectMapper mapper, TickClaims claims, Clock clock, Executor claimExecutor) {
    this(schedules, timer, submit, mapper, claims, null, null, clock, claimExecutor);
  }

  ScheduleProducer(List<DispatcherConfig.Schedule> schedules, ScheduledExecutorService timer, Consumer<TaskMessage> submit,
      ObjectMapper mapper, TickClaims claims, DurableTasks durableRows, String defaultChannel, Clock clock, Executor claimExecutor) {
    for (DispatcherConfig.Schedule schedule : schedules) {
      this.schedules.add(new Running(schedule, Timing.of(schedule)));
    }
    this.timer = timer;
    this.submit = submit;
    this.messages = new LocalMessages(mapper);
    this.claims = claims;
    this.durableRows = durableRows;
    this.defaultChannel = defaultChannel;
    this.mapper = mapper;
    this.clock = clock;
    this.claimExecutor = claimExecutor;
  }

  /** Logs each schedule and sets its first tick; for cluster-wide ones, prepares the claims table. */
  public void start() {
    Instant start = clock.instant();
    boolean anyClusterWide = false;
    for (Running running : schedules) {
      DispatcherConfig.Schedule schedule = running.schedule;
      Instant first = running.timing.first(start, schedule.runAtStart());
      anyClusterWide |= schedule.clusterWide() && !schedule.durable();
      log.info("schedule {}: task {}, {}, {}, first at {}{}", schedule.name(), schedule.submission().task(),
          running.timing.describe(), schedule.durable() ? "durable (one row per tick, cluster-wide)"
              : schedule.clusterWide() ? "cluster-wide" : "this node only",
          running.timing.format(first), schedule.runAtStart() ? " (run at start)" : "");
      arm(running, first, start);
    }
    if (anyClusterWide) {
      claimExecutor.execute(this::prepareClaims);
      long period = PURGE_PERIOD.toNanos();
      purge = timer.scheduleWithFixedDelay(() -> claimExecutor.execute(this::purgeOldClaims), period, period, TimeUnit.NANOSECONDS);
    }
  }

  private void arm(Running running, Instant tick, Instant now) {
    if (closed) {
      return;
    }
    Duration limit = running.timing.maxDelay() != null ? running.timing.maxDelay() : MAX_TIMER_WAIT;
    Duration delay = Duration.between(now, tick);
    if (delay.isNegative()) {
      delay = Duration.ZERO;
    } else if (delay.compareTo(limit) > 0) {
      delay = limit;
    }
    try {
      running.future = timer.schedule(() -> onTimer(running, tick), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      if (!closed) {
        log.error("schedule {} stopped: the timer refused its next tick {}", running.schedule.name(), running.timing.format(tick));
      }
    }
  }

  private void onTimer(Running running, Instant tick) {
    if (closed) {
      return;
    }
    String name = running.schedule.name();
    Instant now = clock.instant();
    if (running.timing.wallClock() && now.isBefore(tick)) {
      arm(running, tick, now); // a long wait was cut short, or the clock is behind the timer: not yet
      return;
    }
    try {
      fire(running, tick);
    } catch (RuntimeException e) {
      log.error("schedule {}: tick {} could not be fired: {}", name, running.timing.format(tick), e.toString(), e);
    }
    try {
      Instant next = running.timing.next(tick);
      if (next.isBefore(now)) {
        Instant resumed = running.timing.resume(tick, now);
        if (!running.behind) {
          log.warn("schedule {}: running late (daemon paused or overloaded, or the clock jumped): ticks after {} and before {} skipped",
              name, running.timing.format(tick), running.timing.format(resumed));
        }
        running.behind = true;
        next = resumed;
      } else {
        running.behind = false;
      }
      arm(running, next, now);
    } catch (RuntimeException e) {
      // an exception here would end the chain of ticks: say so loudly
      log.error("schedule {} stopped: no next tick after {}: {}", name, running.timing.format(tick), e.toString(), e);
    }
  }

  private void fire(Running running, Instant tick) {
    if (!running.schedule.clusterWide()) {
      submit(running, tick);
      return;
    }
    if (!running.claiming.compareAndSet(false, true)) {
      skipped(running, tick, "the claim of an earlier tick is still waiting for the database");
      return;
    }
    try {
      claimExecutor.execute(() -> {
        if (running.schedule.durable()) {
          enqueue(running, tick);
        } else {
          claim(running, tick);
        }
      });
    } catch (RuntimeException e) {
      running.claiming.set(false);
      throw e;
    }
  }

  private void claim(Running running, Instant tick) {
    String name = running.schedule.name();
    try {
      boolean won = claims.claim(name, tick);
      if (running.databaseTrouble.compareAndSet(true, false)) {
        log.info("schedule {}: the database answers again ({} tick(s) skipped meanwhile)", name, running.skipped.getAndSet(0));
      }
      if (won) {
        submit(running, tick);
      } else if (log.isDebugEnabled()) {
        log.debug("schedule {}: tick {} claimed by another node, not fired here", name, running.timing.format(tick));
      }
    } catch (SQLException | RuntimeException e) {
      if (!closed) {
        skipped(running, tick, "the database is unreachable: " + e);
      }
    } finally {
      running.claiming.set(false);
    }
  }

  /**
   * A durable schedule's tick: one row, whose uuid every node derives from the schedule and the
   * tick, so the row goes in once however many nodes fire the tick (the table's uuid is unique).
   */
  private void enqueue(Running running, Instant tick) {
    DispatcherConfig.Schedule schedule = running.schedule;
    String name = schedule.name();
    try {
      String uuid = tickUuid(name, tick);
      ObjectNode row = mapper.createObjectNode();
      row.put("uuid", uuid);
      row.put("task", schedule.submission().task());
      row.put("channel", schedule.channel() != null ? schedule.channel() : defaultChannel);
      row.set("args", mapper.valueToTree(schedule.submission().args()));
      row.set("kwargs", mapper.valueToTree(schedule.submission().kwargs()));
      if (schedule.submission().timeout() != null) {
        row.put("timeout", schedule.submission().timeout().toNanos() / 1e9);
      }
      row.put("origin", "schedule:" + name);
      row.put("schedule_tick", tick.toString());
      boolean enqueued = durableRows.enqueue(row.toString());
      if (running.databaseTrouble.compareAndSet(true, false)) {
        log.info("schedule {}: the database answers again ({} tick(s) skipped meanwhile)", name, running.skipped.getAndSet(0));
      }
      if (log.isDebugEnabled()) {
        log.debug("schedule {}: tick {} {} durable task {} as {}", name, running.timing.format(tick),
            enqueued ? "enqueued" : "was enqueued already (by another node) as", schedule.submission().task(), uuid);
      }
    } catch (SQLException | RuntimeException e) {
      if (!closed) {
        skipped(running, tick, "the database is unreachable: " + e);
      }
    } finally {
      running.claiming.set(false);
    }
  }

  /** The uuid of a durable schedule's row for a tick: the same on every node. */
  static String tickUuid(String schedule, Instant tick) {
    return UUID.nameUUIDFromBytes(("dispatcher schedule " + schedule + " " + tick.truncatedTo(ChronoUnit.MICROS))
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  private void skipped(Running running, Instant tick, String reason) {
    running.skipped.incrementAndGet();
    if (running.databaseTrouble.compareAndSet(false, true)) {
      log.warn("schedule {}: tick {} skipped, {}; further ticks are skipped until it answers (logged once)",
          running.schedule.name(), running.timing.format(tick), reason);
    } else {
      log.debug("schedule {}: tick {} skipped, {}", running.schedule.name(), running.timing.format(tick), reason);
    }
  }

  private void submit(Running running, Instant tick) {
    if (closed) {
      return;
    }
    DispatcherConfig.Schedule schedule = running.schedule;
    TaskMessage message = messages.create(schedule.submission(), "schedule:" + schedule.name(), clock.instant(),
        Map.of("schedule_tick", tick.toString()));
    submit.accept(message);
    if (log.isDebugEnabled()) {
      log.debug("schedule {}: tick {} fired task {} as {}", schedule.name(), running.timing.format(tick),
          schedule.submission().task(), message.uuid());
    }
  }

  private void prepareClaims() {
    try {
      claims.prepare();
      int purged = claims.purge();
      log.debug("schedules: tick claims ready ({} old claim(s) deleted)", purged);
    } catch (SQLException | RuntimeException e) {
      if (!closed) {
        log.warn("schedules: cannot prepare the table of cluster-wide tick claims yet (will try again at the first tick): {}", e.toString());
      }
    }
  }

  private void purgeOldClaims() {
    try {
      int purged = claims.purge();
      log.debug("schedules: {} tick claim(s) older than a day deleted", purged);
    } catch (SQLException | RuntimeException e) {
      if (!closed) {
        log.warn("schedules: could not delete old tick claims (will try again in {}): {}", Timing.formatDuration(PURGE_PERIOD), e.toString());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Running running : schedules) {
      ScheduledFuture<?> future = running.future;
      if (future != null) {
        future.cancel(false);
      }
    }
    ScheduledFuture<?> purgeFuture = purge;
    if (purgeFuture != null) {
      purgeFuture.cancel(false);
    }
  }

  /** A schedule and its state while the daemon runs. */
  private static final class Running {
    final DispatcherConfig.Schedule schedule;
    final Timing timing;
    final AtomicBoolean claiming = new AtomicBoolean();
    final AtomicBoolean databaseTrouble = new AtomicBoolean();
    final AtomicInteger skipped = new AtomicInteger();
    volatile ScheduledFuture<?> future;
    boolean behind; // timer thread only

    Running(DispatcherConfig.Schedule schedule, Timing timing) {
      this.schedule = schedule;
      this.timing = timing;
    }
  }
}
