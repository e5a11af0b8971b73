package dev.dispatcher.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ThroughputTest {

  private static final long S = 1_000_000_000L;

  /** Samples every half second from 0 to {@code seconds}, completing {@code perSecond.at(t)} a second, publishing 100 a second. */
  private interface Rate {
    double at(double seconds);
  }

  private static List<Sample> samples(double seconds, Rate perSecond) {
    List<Sample> samples = new ArrayList<>();
    double completed = 0;
    for (double t = 0; t <= seconds + 1e-9; t += 0.5) {
      samples.add(new Sample(Math.round(t * S), Math.round(completed), Math.round(t * 100), 7));
      completed += perSecond.at(t) * 0.5;
    }
    return samples;
  }

  @Test
  void theRateIsTakenBetweenTheFirstAndTheLastSampleOfTheSpan() {
    List<Sample> samples = samples(10, t -> t < 5 ? 100 : 300);
    assertThat(Throughput.rate(samples, 0, 5 * S)).isCloseTo(100, within(1e-9));
    assertThat(Throughput.rate(samples, 5 * S, 10 * S)).isCloseTo(300, within(1e-9));
    assertThat(Throughput.rate(samples, 0, 10 * S)).isCloseTo(200, within(1e-9));
  }

  @Test
  void fewerThanTwoSamplesInTheSpanIsARateOfZero() {
    List<Sample> samples = samples(10, t -> 100);
    assertThat(Throughput.rate(samples, 2 * S + 1, 2 * S + 2)).isZero();
    assertThat(Throughput.rate(List.of(), 0, 10 * S)).isZero();
  }

  @Test
  void theBaselineIsAtMostThePublishRate() {
    // a start-up backlog worked off: 150 completions a second while 100 are published
    List<Sample> catchingUp = samples(10, t -> 150);
    assertThat(Throughput.publishRate(catchingUp, 0, 10 * S)).isCloseTo(100, within(1e-9));
    assertThat(Throughput.baseline(catchingUp, 0, 10 * S)).isCloseTo(100, within(1e-9));
    // saturated: fewer completions than published
    List<Sample> saturated = samples(10, t -> 80);
    assertThat(Throughput.baseline(saturated, 0, 10 * S)).isCloseTo(80, within(1e-9));
  }

  @Test
  void noDipIsRecoveredAtOnce() {
    List<Sample> samples = samples(30, t -> 100);
    assertThat(Throughput.recoverySeconds(samples, 100, 10 * S, 30 * S)).hasValue(0);
  }

  @Test
  void recoveryIsTimedToTheStartOfTheFirstWindowAtNinetyPercent() {
    // nothing completes from 10 s to 14 s, full rate again from 14 s
    List<Sample> samples = samples(30, t -> t >= 10 && t < 14 ? 0 : 100);
    OptionalDouble recovered = Throughput.recoverySeconds(samples, 100, 10 * S, 30 * S);
    assertThat(recovered).isPresent();
    assertThat(recovered.getAsDouble()).isCloseTo(4, within(1e-9));
  }

  @Test
  void aSlowClimbCountsOnceAWindowReachesTheFraction() {
    // 50% until 20 s, 85% until 25 s (not enough), 95% from 25 s
    List<Sample> samples = samples(40, t -> t < 20 ? 50 : t < 25 ? 85 : 95);
    OptionalDouble recovered = Throughput.recoverySeconds(samples, 100, 10 * S, 40 * S);
    assertThat(recovered).isPresent();
    // [23, 26] holds 2 s at 85 and 1 s at 95: 88.3 a second, not enough; [23.5, 26.5] holds 1.5 s of each: 90, just enough
    assertThat(recovered.getAsDouble()).isCloseTo(13.5, within(1e-9));
  }

  @Test
  void notRecoveredWithinTheSpanIsEmpty() {
    List<Sample> samples = samples(30, t -> t < 10 ? 100 : 50);
    assertThat(Throughput.recoverySeconds(samples, 100, 10 * S, 30 * S)).isEmpty();
    // a window must end by the end of the span: full rate from 28 s is too late for a 3 s window ending by 30 s
    List<Sample> late = samples(30, t -> t < 28 ? 0 : 100);
    assertThat(Throughput.recoverySeconds(late, 100, 0, 30 * S)).isEmpty();
  }

  @Test
  void aGapInTheSamplesIsBridgedByTheWindow() {
    // Postgres down from 10 s to 15 s: no samples then; afterwards the backlog is worked off at 300 a second
    List<Sample> samples = new ArrayList<>();
    for (Sample sample : samples(30, t -> t < 10 ? 100 : t < 15 ? 0 : 300)) {
      if (sample.nanos() <= 10 * S || sample.nanos() >= 15 * S) {
        samples.add(sample);
      }
    }
    OptionalDouble recovered = Throughput.recoverySeconds(samples, 100, 15 * S, 30 * S);
    assertThat(recovered).hasValue(0);
    // timed from the stop instead: the first window from 10 s spans the gap and holds nothing until 15 s
    OptionalDouble fromTheStop = Throughput.recoverySeconds(samples, 100, 10 * S, 30 * S);
    assertThat(fromTheStop).isPresent();
    assertThat(fromTheStop.getAsDouble()).isCloseTo(5, within(1e-9));
  }

  @Test
  void aBaselineOfZeroIsRecoveredAtTheFirstSample() {
    List<Sample> samples = samples(10, t -> 0);
    assertThat(Throughput.recoverySeconds(samples, 0, 2 * S + 1, 10 * S)).isPresent();
  }

  @Test
  void theBacklogIsClearedAtTheFirstSampleUnderTheBound() {
    List<Sample> samples = List.of(new Sample(0, 0, 100, 1), new Sample(S, 0, 600, 2), new Sample(2 * S, 300, 900, 5),
        new Sample(3 * S, 850, 950, 3), new Sample(4 * S, 1000, 1000, 4));
    assertThat(samples.get(1).backlog()).isEqualTo(600);
    assertThat(Throughput.maxBacklog(samples, 0, 4 * S)).isEqualTo(600);
    assertThat(Throughput.backlogClearedSeconds(samples, 100, S, 4 * S)).hasValue(2);
    assertThat(Throughput.backlogClearedSeconds(samples, 10, S, 3 * S)).isEmpty();
    assertThat(Throughput.maxDeadTuples(samples, S, 3 * S)).isEqualTo(5);
    assertThat(Throughput.maxDeadTuples(samples, 10 * S, 11 * S)).isEqualTo(-1);
  }

  @Test
  void aBacklogIsNeverNegative() {
    assertThat(new Sample(0, 120, 100, 0).backlog()).isZero();
  }
}
