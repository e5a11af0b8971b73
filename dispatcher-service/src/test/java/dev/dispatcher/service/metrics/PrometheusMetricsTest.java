package dev.dispatcher.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

  @Test
  void perChannelCountsSurviveGarbageCollection() {
    DispatcherMetrics metrics = new DispatcherMetrics();
    for (int i = 0; i < 3; i++) {
      metrics.receivedOn("orders");
    }
    // Micrometer holds a function counter's state weakly: a state object nothing else holds is
    // collected here and the counter reads 0.
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    metrics.receivedOn("orders");

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
}
