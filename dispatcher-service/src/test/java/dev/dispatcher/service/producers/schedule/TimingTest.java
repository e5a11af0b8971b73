package dev.dispatcher.service.producers.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.cron.CronExpression;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimingTest {

  private static final DispatcherConfig.Submission TASK = new DispatcherConfig.Submission("schedules.s.task", "app.t", List.of(), Map.of());

  private static Instant at(String text) {
    return Instant.parse(text);
  }

  @Test
  void alignedTicksAreMultiplesOfTheIntervalSinceTheEpoch() {
    Duration second = Duration.ofSeconds(1);
    assertThat(Timing.alignedAfter(at("2025-06-10T10:00:00.300Z"), second)).isEqualTo(at("2025-06-10T10:00:01Z"));
    assertThat(Timing.alignedAtOrBefore(at("2025-06-10T10:00:00.300Z"), second)).isEqualTo(at("2025-06-10T10:00:00Z"));
    // on a multiple: "at or before" is itself, "after" is strictly after
    assertThat(Timing.alignedAtOrBefore(at("2025-06-10T10:00:01Z"), second)).isEqualTo(at("2025-06-10T10:00:01Z"));
    assertThat(Timing.alignedAfter(at("2025-06-10T10:00:01Z"), second)).isEqualTo(at("2025-06-10T10:00:02Z"));

    assertThat(Timing.alignedAfter(at("2025-06-10T10:00:07Z"), Duration.ofSeconds(10))).isEqualTo(at("2025-06-10T10:00:10Z"));
    assertThat(Timing.alignedAfter(at("2025-06-10T10:59:59.999Z"), Duration.ofHours(1))).isEqualTo(at("2025-06-10T11:00:00Z"));
    assertThat(Timing.alignedAfter(at("2025-06-10T10:00:00.100Z"), Duration.ofMillis(250))).isEqualTo(at("2025-06-10T10:00:00.250Z"));
    assertThat(Timing.alignedAfter(at("1970-01-01T00:00:02Z"), Duration.ofMillis(1500))).isEqualTo(at("1970-01-01T00:00:03Z"));
    assertThat(Timing.alignedAfter(at("1970-01-01T00:00:03Z"), Duration.ofMillis(1500))).isEqualTo(at("1970-01-01T00:00:04.500Z"));
    // before the epoch the grid continues downwards
    assertThat(Timing.alignedAtOrBefore(at("1969-12-31T23:59:59.500Z"), second)).isEqualTo(at("1969-12-31T23:59:59Z"));
    assertThat(Timing.alignedAfter(at("1969-12-31T23:59:59.500Z"), second)).isEqualTo(at("1970-01-01T00:00:00Z"));
  }

  @Test
  void alignmentAgreesWithEpochArithmetic() {
    Random random = new Random(7);
    long[] intervalsMillis = {1, 7, 250, 1000, 1500, 60_000, 7 * 60_000, 3_600_000, 86_400_000};
    for (long intervalMillis : intervalsMillis) {
      for (int i = 0; i < 200; i++) {
        long epochMillis = 1_700_000_000_000L + random.nextLong(100_000_000_000L);
        Instant time = Instant.ofEpochMilli(epochMillis).plusNanos(random.nextInt(1_000_000));
        Instant after = Timing.alignedAfter(time, Duration.ofMillis(intervalMillis));
        assertThat(after.toEpochMilli() % intervalMillis).isZero();
        assertThat(after.getNano() % 1_000_000).isZero();
        assertThat(after).isAfter(time);
        assertThat(after.minusMillis(intervalMillis)).isBeforeOrEqualTo(time);
      }
    }
  }

  @Test
  void nodesStartingAtDifferentTimesShareTheSameClusterWideTicks() {
    Timing timing = new Timing.Aligned(Duration.ofSeconds(5));
    Instant nodeA = at("2025-06-10T10:00:00.100Z");
    Instant nodeB = at("2025-06-10T10:00:03.900Z");
    Instant nodeC = at("2025-06-10T10:00:12.345Z");
    List<Instant> ticksA = ticks(timing, timing.first(nodeA, false), 6);
    List<Instant> ticksB = ticks(timing, timing.first(nodeB, false), 6);
    List<Instant> ticksC = ticks(timing, timing.first(nodeC, false), 3);
    assertThat(ticksA).containsExactlyElementsOf(ticksB);
    assertThat(ticksA.get(0)).isEqualTo(at("2025-06-10T10:00:05Z"));
    assertThat(ticksA).containsSequence(ticksC); // a node joining later picks up the same grid
    assertThat(ticksC.get(0)).isEqualTo(at("2025-06-10T10:00:15Z"));
  }

  @Test
  void clusterWideRunAtStartTakesTheCurrentTick() {
    Timing timing = new Timing.Aligned(Duration.ofMinutes(1));
    assertThat(timing.first(at("2025-06-10T10:07:42Z"), true)).isEqualTo(at("2025-06-10T10:07:00Z"));
    assertThat(timing.first(at("2025-06-10T10:07:42Z"), false)).isEqualTo(at("2025-06-10T10:08:00Z"));
    assertThat(timing.resume(at("2025-06-10T10:08:00Z"), at("2025-06-10T10:31:10Z"))).isEqualTo(at("2025-06-10T10:32:00Z"));
    assertThat(timing.wallClock()).isTrue();
    assertThat(timing.maxDelay()).isNull();
  }

  @Test
  void localIntervalsCountFromStart() {
    Timing timing = new Timing.Local(Duration.ofSeconds(10));
    Instant start = at("2025-06-10T10:00:03.250Z");
    assertThat(timing.first(start, false)).isEqualTo(at("2025-06-10T10:00:13.250Z"));
    assertThat(timing.first(start, true)).isEqualTo(start);
    assertThat(timing.next(at("2025-06-10T10:00:13.250Z"))).isEqualTo(at("2025-06-10T10:00:23.250Z"));
    // missed ticks: the next one on the same grid strictly after now
    assertThat(timing.resume(at("2025-06-10T10:00:13.250Z"), at("2025-06-10T10:01:00Z"))).isEqualTo(at("2025-06-10T10:01:03.250Z"));
    assertThat(timing.resume(at("2025-06-10T10:00:13.250Z"), at("2025-06-10T10:01:03.250Z"))).isEqualTo(at("2025-06-10T10:01:13.250Z"));
    assertThat(timing.wallClock()).isFalse();
    assertThat(timing.maxDelay()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void cronTicksAreTheExpressionsFireTimesInItsZone() {
    Timing paris = new Timing.Cron(CronExpression.parse("0 9 * * *"), ZoneId.of("Europe/Paris"));
    Timing utc = new Timing.Cron(CronExpression.parse("0 9 * * *"), ZoneId.of("UTC"));
    Instant start = at("2025-06-10T08:30:00Z"); // 10:30 in Paris
    assertThat(paris.first(start, false)).isEqualTo(at("2025-06-11T07:00:00Z"));
    assertThat(utc.first(start, false)).isEqualTo(at("2025-06-10T09:00:00Z"));
    assertThat(paris.first(start, true)).isEqualTo(start);
    assertThat(paris.next(at("2025-06-11T07:00:00Z"))).isEqualTo(at("2025-06-12T07:00:00Z"));
    assertThat(paris.resume(at("2025-06-11T07:00:00Z"), at("2025-06-15T12:00:00Z"))).isEqualTo(at("2025-06-16T07:00:00Z"));
    assertThat(paris.format(at("2025-06-11T07:00:00Z"))).isEqualTo("2025-06-11T09:00:00+02:00");
    assertThat(utc.format(at("2025-06-10T09:00:00Z"))).isEqualTo("2025-06-10T09:00:00Z");
    assertThat(paris.describe()).isEqualTo("cron '0 9 * * *' in Europe/Paris");
    assertThat(paris.wallClock()).isTrue();
  }

  @Test
  void theKindFollowsTheConfig() {
    assertThat(Timing.of(new DispatcherConfig.Schedule("s", TASK, Duration.ofSeconds(3), false)))
        .isEqualTo(new Timing.Local(Duration.ofSeconds(3)));
    assertThat(Timing.of(new DispatcherConfig.Schedule("s", TASK, Duration.ofSeconds(3), null, null, false, true)))
        .isEqualTo(new Timing.Aligned(Duration.ofSeconds(3)));
    CronExpression cron = CronExpression.parse("*/5 * * * *");
    assertThat(Timing.of(new DispatcherConfig.Schedule("s", TASK, null, cron, ZoneId.of("Europe/Paris"), false, true)))
        .isEqualTo(new Timing.Cron(cron, ZoneId.of("Europe/Paris")));
    assertThat(Timing.of(new DispatcherConfig.Schedule("s", TASK, null, cron, null, false, false)))
        .isEqualTo(new Timing.Cron(cron, ZoneId.of("UTC")));
  }

  @Test
  void durationsAreDescribedShortly() {
    assertThat(Timing.formatDuration(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(Timing.formatDuration(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Timing.formatDuration(Duration.ofSeconds(15))).isEqualTo("15s");
    assertThat(Timing.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Timing.formatDuration(Duration.ofNanos(1_500_001))).isEqualTo("PT0.001500001S");
    assertThat(new Timing.Aligned(Duration.ofSeconds(10)).describe()).isEqualTo("every 10s (ticks at multiples of 10s since the epoch)");
    assertThat(new Timing.Local(Duration.ofMillis(500)).describe()).isEqualTo("every 500ms");
  }

  @Test
  void anIntervalMustBePositive() {
    assertThatThrownBy(() -> Timing.alignedAfter(Instant.EPOCH, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Instant> ticks(Timing timing, Instant first, int count) {
    List<Instant> result = new ArrayList<>();
    Instant tick = first;
    for (int i = 0; i < count; i++) {
      result.add(tick);
      tick = timing.next(tick);
    }
    return result;
  }
}
