package dev.dispatcher.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

  @Test
  void perChannelCountsSurviveGarbageCollection() {
    DispatcherMetrics metrics = new DispatcherMetrics();
    for (int i = 0; i < 3; i++) {
      metrics.received("orders");
    }
    // Micrometer holds a function counter's state weakly: a state object nothing else holds is
    // collected here and the counter reads 0.
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    metrics.received("orders");

    assertThat(metrics.prometheus().scrape()).contains("dispatcher_messages_received_total{channel=\"orders\"} 4.0");
  }

  @Test
  void runsAreRecordedInHistogramsByTask() {
    DispatcherMetrics metrics = new DispatcherMetrics();
    metrics.prometheus().recordRun("app.x", 2_000_000, 0.004);
    metrics.prometheus().recordRun("app.x", 3_000_000, Double.NaN);

    String scrape = metrics.prometheus().scrape();
    assertThat(scrape).contains("# TYPE dispatcher_task_duration_seconds histogram",
        "dispatcher_task_duration_seconds_count{task=\"app.x\"} 2",
        "dispatcher_task_queue_wait_seconds_count{task=\"app.x\"} 1");
  }

  @Test
  void finishedRunsReachTheHistogramsOnlyWhenAsked() {
    DispatcherMetrics recording = new DispatcherMetrics(true);
    DispatcherMetrics counting = new DispatcherMetrics(false);
    for (DispatcherMetrics metrics : List.of(recording, counting)) {
      metrics.finished("app.x", OutcomeKind.SUCCEEDED, 2_000_000, 0.004);
    }

    assertThat(recording.prometheus().scrape()).contains("dispatcher_task_duration_seconds_count{task=\"app.x\"} 1",
        "dispatcher_task_queue_wait_seconds_count{task=\"app.x\"} 1");
    String counted = counting.prometheus().scrape();
    assertThat(counted).contains("dispatcher_tasks_finished_total{outcome=\"succeeded\"} 1.0");
    assertThat(counted).doesNotContain("task=\"app.x\"");
  }

  @Test
  void waitsOutsideZeroToTheBoundAreNotRecorded() {
    DispatcherMetrics metrics = new DispatcherMetrics();
    for (double wait : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.5, 1e308,
        QueueWait.MAX_WAIT.toSeconds() + 1.0}) {
      metrics.prometheus().recordRun("app.x", 1_000_000, wait);
    }
    metrics.prometheus().recordRun("app.x", 1_000_000, 0.25);

    String scrape = metrics.prometheus().scrape();
    assertThat(value(scrape, "dispatcher_task_queue_wait_seconds_count")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_task_queue_wait_seconds_sum")).isEqualTo(0.25);
  }

  /** BUG: the wait was a Timer, which sums whole nanoseconds in a long: 3,559 waits of 30 days made the sum negative. */
  @Test
  void manyLongWaitsDoNotOverflowTheSum() {
    DispatcherMetrics metrics = new DispatcherMetrics();
    double longest = QueueWait.MAX_WAIT.toSeconds();
    for (int i = 0; i < 10_000; i++) {
      metrics.prometheus().recordRun("app.x", 1_000_000, longest);
    }

    String scrape = metrics.prometheus().scrape();
    assertThat(value(scrape, "dispatcher_task_queue_wait_seconds_count")).isEqualTo(10_000);
    assertThat(value(scrape, "dispatcher_task_queue_wait_seconds_sum")).isCloseTo(10_000 * longest, org.assertj.core.data.Percentage.withPercentage(1e-6));
  }

  @Test
  void theQueueWaitHistogramHasTheBucketsOfTheDurationHistogram() {
    DispatcherMetrics metrics = new DispatcherMetrics();
    metrics.prometheus().recordRun("app.x", 4_000_000, 0.004);

    String scrape = metrics.prometheus().scrape();
    List<String> durationBounds = bounds(scrape, "dispatcher_task_duration_seconds_bucket");
    assertThat(durationBounds).hasSizeGreaterThan(10).contains("0.001", "1.073741824", "30.0", "+Inf");
    assertThat(bounds(scrape, "dispatcher_task_queue_wait_seconds_bucket")).isEqualTo(durationBounds);
    assertThat(scrape).contains("# TYPE dispatcher_task_queue_wait_seconds histogram",
        "dispatcher_task_queue_wait_seconds_bucket{task=\"app.x\",le=\"0.003844776\"} 0",
        "dispatcher_task_queue_wait_seconds_bucket{task=\"app.x\",le=\"0.004194304\"} 1",
        "dispatcher_task_queue_wait_seconds_max{task=\"app.x\"} 0.004");
  }

  private static double value(String scrape, String series) {
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series + "{task=\"app.x\"}") + " (\\S+)$").matcher(scrape);
    assertThat(value.find()).as("%s in the scrape", series).isTrue();
    return Double.parseDouble(value.group(1));
  }

  private static List<String> bounds(String scrape, String series) {
    return scrape.lines().filter(line -> line.startsWith(series + "{"))
        .map(line -> line.replaceAll(".*le=\"([^\"]*)\".*", "$1")).toList();
  }
}
