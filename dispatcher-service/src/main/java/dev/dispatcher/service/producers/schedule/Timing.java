package dev.dispatcher.service.producers.schedule;

import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.cron.CronExpression;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * When a schedule's ticks fall. Three kinds:
 *
 * <ul>
 *   <li>{@link Local}: a fixed interval counted from this daemon's start (first tick one interval
 *       after start, or at start with {@code run_at_start}). The ticks are this node's own.
 *   <li>{@link Aligned}: a fixed interval for {@code cluster_wide} schedules. Ticks fall on whole
 *       multiples of the interval since the Unix epoch (1970-01-01T00:00Z), so every node computes
 *       the same instants: with {@code interval: 10s}, at :00, :10, :20 … of each minute. The first
 *       tick is the next multiple after start; with {@code run_at_start}, the current one (the last
 *       multiple at or before start), which runs at once unless a node has already run it.
 *   <li>{@link Cron}: the fire times of a cron expression in a time zone, the same on every node.
 * </ul>
 */
public sealed interface Timing {

  /** The first tick for a schedule started at {@code start}. */
  Instant first(Instant start, boolean runAtStart);

  /** The tick after {@code tick}. */
  Instant next(Instant tick);

  /**
   * The first tick strictly after {@code now}, for when the tick after {@code previousTick} has
   * passed already (the daemon was paused, or the clock jumped): missed ticks are skipped, not
   * caught up.
   */
  Instant resume(Instant previousTick, Instant now);

  /**
   * Whether ticks are wall-clock instants shared by every node (cron, cluster-wide): such a tick
   * never fires before the clock reaches it. A local interval only needs the right spacing.
   */
  default boolean wallClock() {
    return true;
  }

  /** The longest the timer may be set for at once; {@code null} for no limit. */
  default Duration maxDelay() {
    return null;
  }

  /** For the start-up log line, e.g. {@code every 10s} or {@code cron '0 3 * * *' in Europe/Paris}. */
  String describe();

  /** A tick as logged: an ISO instant, or for cron an ISO date-time with the zone's offset. */
  default String format(Instant tick) {
    return tick.toString();
  }

  /** The timing of a configured schedule. */
  static Timing of(DispatcherConfig.Schedule schedule) {
    if (schedule.cron() != null) {
      return new Cron(schedule.cron(), schedule.timezone());
    }
    return schedule.clusterWide() ? new Aligned(schedule.interval()) : new Local(schedule.interval());
  }

  /** A fixed interval from this daemon's start. */
  record Local(Duration interval) implements Timing {
    @Override
    public Instant first(Instant start, boolean runAtStart) {
      return runAtStart ? start : start.plus(interval);
    }

    @Override
    public Instant next(Instant tick) {
      return tick.plus(interval);
    }

    @Override
    public Instant resume(Instant previousTick, Instant now) {
      if (now.isBefore(previousTick)) {
        return previousTick.plus(interval);
      }
      long periods = Duration.between(previousTick, now).dividedBy(interval) + 1;
      return previousTick.plus(interval.multipliedBy(periods));
    }

    @Override
    public boolean wallClock() {
      return false;
    }

    @Override
    public Duration maxDelay() {
      return interval; // a clock set back must not hold the schedule up for longer than one interval
    }

    @Override
    public String describe() {
      return "every " + formatDuration(interval);
    }
  }

  /** A fixed interval whose ticks are whole multiples of it since the epoch (cluster-wide schedules). */
  record Aligned(Duration interval) implements Timing {
    @Override
    public Instant first(Instant start, boolean runAtStart) {
      return runAtStart ? alignedAtOrBefore(start, interval) : alignedAfter(start, interval);
    }

    @Override
    public Instant next(Instant tick) {
      return tick.plus(interval);
    }

    @Override
    public Instant resume(Instant previousTick, Instant now) {
      return alignedAfter(now, interval);
    }

    @Override
    public String describe() {
      return "every " + formatDuration(interval) + " (ticks at multiples of " + formatDuration(interval) + " since the epoch)";
    }
  }

  /** The fire times of a cron expression in a zone. */
  record Cron(CronExpression cron, ZoneId zone) implements Timing {
    @Override
    public Instant first(Instant start, boolean runAtStart) {
      return runAtStart ? start : next(start);
    }

    @Override
    public Instant next(Instant tick) {
      return cron.next(ZonedDateTime.ofInstant(tick, zone)).toInstant();
    }

    @Override
    public Instant resume(Instant previousTick, Instant now) {
      return next(now);
    }

    @Override
    public String describe() {
      return "cron '" + cron + "' in " + zone.getId();
    }

    @Override
    public String format(Instant tick) {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(ZonedDateTime.ofInstant(tick, zone));
    }
  }

  /** The last whole multiple of {@code interval} since the epoch at or before {@code time}. */
  static Instant alignedAtOrBefore(Instant time, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    Duration sinceEpoch = Duration.between(Instant.EPOCH, time);
    long periods = sinceEpoch.dividedBy(interval); // rounds toward zero
    Instant aligned = Instant.EPOCH.plus(interval.multipliedBy(periods));
    return aligned.isAfter(time) ? aligned.minus(interval) : aligned; // before the epoch: round down, not toward zero
  }

  /** The first whole multiple of {@code interval} since the epoch strictly after {@code time}. */
  static Instant alignedAfter(Instant time, Duration interval) {
    return alignedAtOrBefore(time, interval).plus(interval);
  }

  /** {@code 1h}, {@code 2m}, {@code 10s}, {@code 500ms}, else the ISO form. */
  static String formatDuration(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 3_600_000_000_000L == 0) {
      return duration.toHours() + "h";
    }
    if (nanos % 60_000_000_000L == 0) {
      return duration.toMinutes() + "m";
    }
    if (nanos % 1_000_000_000L == 0) {
      return duration.toSeconds() + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return duration.toMillis() + "ms";
    }
    return duration.toString();
  }
}
