package dev.dispatcher.tools.chaos;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What the samples of a scenario say about its throughput: the completion rate over a span, when
 * it was back near the baseline after a disruption, when the backlog was back to its baseline
 * level, the dead tuples. Pure functions of the samples (sorted by time; gaps, e.g. while Postgres
 * was down, are fine).
 */
final class Throughput {

  /** "Recovered" means a window of this length whose completion rate is at least the fraction of the baseline. */
  static final long WINDOW_NANOS = 3_000_000_000L;
  static final double FRACTION = 0.9;

  private Throughput() {}

  /**
   * Completions per second between the first sample at or after {@code from} and the last one at
   * or before {@code to}; 0 when fewer than two samples fall in the span.
   */
  static double rate(List<Sample> samples, long from, long to) {
    Sample first = null;
    Sample last = null;
    for (Sample sample : samples) {
      if (sample.nanos() < from || sample.nanos() > to) {
        continue;
      }
      if (first == null) {
        first = sample;
      }
      last = sample;
    }
    if (first == null || last == first) {
      return 0;
    }
    return (last.completed() - first.completed()) / ((last.nanos() - first.nanos()) / 1e9);
  }

  /**
   * The baseline throughput: the completion rate over [from, to], but at most the rate at which the
   * publisher's enqueues were acknowledged over the same span. A system that keeps up completes
   * what is published; completions above that rate are a start-up backlog being worked off (the
   * daemons are cold when the baseline begins), not a throughput to come back to.
   */
  static double baseline(List<Sample> samples, long from, long to) {
    return Math.min(rate(samples, from, to), publishRate(samples, from, to));
  }

  /** Acknowledged enqueues per second between the first sample at or after {@code from} and the last one at or before {@code to}. */
  static double publishRate(List<Sample> samples, long from, long to) {
    Sample first = null;
    Sample last = null;
    for (Sample sample : samples) {
      if (sample.nanos() >= from && sample.nanos() <= to) {
        first = first == null ? sample : first;
        last = sample;
      }
    }
    if (first == null || last == first) {
      return 0;
    }
    return (last.published() - first.published()) / ((last.nanos() - first.nanos()) / 1e9);
  }

  /**
   * Seconds from {@code from} to the start of the first window of {@value #WINDOW_NANOS} ns (from
   * a sample at or after {@code from} to the first sample at least that much later, not after
   * {@code until}) in which the completion rate is at least {@value #FRACTION} of {@code baseline};
   * empty when no window qualifies (not recovered by {@code until}). A baseline of 0 or less is
   * recovered at once.
   */
  static OptionalDouble recoverySeconds(List<Sample> samples, double baseline, long from, long until) {
    return recoverySeconds(samples, baseline, from, until, FRACTION, WINDOW_NANOS);
  }

  static OptionalDouble recoverySeconds(List<Sample> samples, double baseline, long from, long until, double fraction, long window) {
    for (int i = 0; i < samples.size(); i++) {
      Sample start = samples.get(i);
      if (start.nanos() < from) {
        continue;
      }
      if (start.nanos() > until) {
        break;
      }
      if (baseline <= 0) {
        return OptionalDouble.of((start.nanos() - from) / 1e9);
      }
      for (int j = i + 1; j < samples.size(); j++) {
        Sample end = samples.get(j);
        if (end.nanos() > until) {
          break;
        }
        if (end.nanos() - start.nanos() >= window) {
          double rate = (end.completed() - start.completed()) / ((end.nanos() - start.nanos()) / 1e9);
          if (rate >= fraction * baseline) {
            return OptionalDouble.of((start.nanos() - from) / 1e9);
          }
          break;
        }
      }
    }
    return OptionalDouble.empty();
  }

  /** The largest backlog of the samples within [from, to]; 0 when there are none. */
  static long maxBacklog(List<Sample> samples, long from, long to) {
    long max = 0;
    for (Sample sample : samples) {
      if (sample.nanos() >= from && sample.nanos() <= to) {
        max = Math.max(max, sample.backlog());
      }
    }
    return max;
  }

  /**
   * Seconds from {@code from} to the first sample (at or after it, not after {@code until}) whose
   * backlog is at most {@code threshold}; empty when there is none.
   */
  static OptionalDouble backlogClearedSeconds(List<Sample> samples, long threshold, long from, long until) {
    for (Sample sample : samples) {
      if (sample.nanos() >= from && sample.nanos() <= until && sample.backlog() <= threshold) {
        return OptionalDouble.of((sample.nanos() - from) / 1e9);
      }
    }
    return OptionalDouble.empty();
  }

  /** The most dead tuples of the samples within [from, to]; -1 when none is known. */
  static long maxDeadTuples(List<Sample> samples, long from, long to) {
    long max = -1;
    for (Sample sample : samples) {
      if (sample.nanos() >= from && sample.nanos() <= to) {
        max = Math.max(max, sample.deadTuples());
      }
    }
    return max;
  }
}
