package dev.dispatcher.service.producers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.intake.DispatchLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires fixed-interval schedules on the daemon's timer: first one interval after start (as the
 * Python dispatcher does) unless {@code run_at_start}, then every interval, each tick a new task
 * with its own uuid.
 */
public final class ScheduleProducer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ScheduleProducer.class);

  private final List<DispatcherConfig.Schedule> schedules;
  private final ScheduledExecutorService timer;
  private final DispatchLoop loop;
  private final LocalMessages messages;
  private final List<ScheduledFuture<?>> ticks = new ArrayList<>();

  public ScheduleProducer(List<DispatcherConfig.Schedule> schedules, ScheduledExecutorService timer, DispatchLoop loop, ObjectMapper mapper) {
    this.schedules = List.copyOf(schedules);
    this.timer = timer;
    this.loop = loop;
    this.messages = new LocalMessages(mapper);
  }

  public void start() {
    for (DispatcherConfig.Schedule schedule : schedules) {
      long period = schedule.interval().toNanos();
      ticks.add(timer.scheduleAtFixedRate(() -> fire(schedule), schedule.runAtStart() ? 0 : period, period, TimeUnit.NANOSECONDS));
      log.info("schedule {}: task {} every {} ms", schedule.name(), schedule.submission().task(), schedule.interval().toMillis());
    }
  }

  private void fire(DispatcherConfig.Schedule schedule) {
    try {
      loop.local(messages.create(schedule.submission(), "schedule:" + schedule.name()));
    } catch (RuntimeException e) {
      // an exception would cancel the fixed-rate task for good; keep the schedule alive
      log.error("schedule {} could not submit its task: {}", schedule.name(), e.toString(), e);
    }
  }

  @Override
  public void close() {
    ticks.forEach(tick -> tick.cancel(false));
  }
}
