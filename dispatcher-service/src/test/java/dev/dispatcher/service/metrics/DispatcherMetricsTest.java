package dev.dispatcher.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.WireFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each event, as the Prometheus scrape and the read-only counts show it, under the names dashboards and tests know. */
class DispatcherMetricsTest {

  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final EventCounts counts = metrics.counts();

  @Test
  void dropReasonsKeepTheirWireNames() {
    assertThat(Arrays.stream(DropReason.values()).map(DropReason::label)).containsExactlyInAnyOrder("bad_payload", "bad_chunk",
        "unknown_task", "bad_arguments", "duplicate", "shutting_down", "internal_error", "bad_followup", "backlog_full", "queue_full",
        "delayed_full", "suspended");
    assertThat(Arrays.stream(OutcomeKind.values()).map(OutcomeKind::label))
        .containsExactly("succeeded", "failed", "timed_out", "cancelled");
  }

  @Test
  void everyLabelledSeriesExistsAtZeroBeforeItsFirstEvent() {
    String scrape = metrics.prometheus().scrape();
    for (DropReason reason : DropReason.values()) {
      assertThat(scrape).contains("dispatcher_messages_dropped_total{reason=\"" + reason.label() + "\"} 0.0");
    }
    for (OutcomeKind outcome : OutcomeKind.values()) {
      assertThat(scrape).contains("dispatcher_tasks_finished_total{outcome=\"" + outcome.label() + "\"} 0.0");
    }
    for (String result : List.of("completed", "expired", "invalid", "evicted")) {
      assertThat(scrape).contains("dispatcher_chunked_messages_total{result=\"" + result + "\"} 0.0");
    }
    for (Refusal reason : Refusal.values()) {
      assertThat(scrape).contains("dispatcher_control_refused_total{reason=\"" + reason.label() + "\"} 0.0");
    }
    for (EventDrop reason : EventDrop.values()) {
      assertThat(scrape).contains("dispatcher_status_events_dropped_total{reason=\"" + reason.label() + "\"} 0.0");
    }
    assertThat(scrape).contains("dispatcher_listener_self_check_seconds NaN", "dispatcher_tasks_stuck 0.0");
    assertThat(counts.droppedByReason()).isEmpty();
    assertThat(counts.controlRefusedByReason()).isEmpty();
    assertThat(counts.lastSelfCheckNanos()).isEmpty();
  }

  @Test
  void theMetersHaveTheirNamesAndTypes() {
    metrics.received("orders");
    metrics.finished("app.x", OutcomeKind.SUCCEEDED, 1_000_000, 0.001);

    List<String> types = metrics.prometheus().scrape().lines().filter(line -> line.startsWith("# TYPE ")).toList();
    assertThat(types).containsExactlyInAnyOrder(
        "# TYPE dispatcher_chunked_messages_total counter",
        "# TYPE dispatcher_control_handlers_active gauge",
        "# TYPE dispatcher_control_handlers_peak gauge",
        "# TYPE dispatcher_control_refused_total counter",
        "# TYPE dispatcher_durable_claimed_total counter",
        "# TYPE dispatcher_durable_claims_empty_total counter",
        "# TYPE dispatcher_durable_claims_total counter",
        "# TYPE dispatcher_durable_completion_batches_total counter",
        "# TYPE dispatcher_durable_completions_fenced_total counter",
        "# TYPE dispatcher_durable_completions_total counter",
        "# TYPE dispatcher_durable_dead_letters_total counter",
        "# TYPE dispatcher_durable_lease_expiries_total counter",
        "# TYPE dispatcher_durable_retries_total counter",
        "# TYPE dispatcher_listener_connections_total counter",
        "# TYPE dispatcher_listener_losses_total counter",
        "# TYPE dispatcher_listener_self_check_failures_total counter",
        "# TYPE dispatcher_listener_self_check_seconds gauge",
        "# TYPE dispatcher_listener_self_checks_total counter",
        "# TYPE dispatcher_messages_dropped_total counter",
        "# TYPE dispatcher_messages_received_total counter",
        "# TYPE dispatcher_status_events_dropped_total counter",
        "# TYPE dispatcher_status_events_sent_total counter",
        "# TYPE dispatcher_task_duration_seconds histogram",
        "# TYPE dispatcher_task_duration_seconds_max gauge",
        "# TYPE dispatcher_task_queue_wait_seconds histogram",
        "# TYPE dispatcher_task_queue_wait_seconds_max gauge",
        "# TYPE dispatcher_tasks_finished_total counter",
        "# TYPE dispatcher_tasks_started_total counter",
        "# TYPE dispatcher_tasks_stuck gauge");
  }

  @Test
  void messagesAreCountedByChannelAndDropsByReason() {
    for (int i = 0; i < 3; i++) {
      metrics.received("orders");
    }
    metrics.received("mail");
    metrics.dropped(DropReason.BAD_PAYLOAD);
    metrics.dropped(DropReason.BAD_PAYLOAD);
    metrics.dropped(DropReason.BACKLOG_FULL);
    gc(); // every meter's state must still be held (Micrometer holds it weakly)

    String scrape = metrics.prometheus().scrape();
    assertThat(value(scrape, "dispatcher_messages_received_total{channel=\"orders\"}")).isEqualTo(3);
    assertThat(value(scrape, "dispatcher_messages_received_total{channel=\"mail\"}")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_messages_dropped_total{reason=\"bad_payload\"}")).isEqualTo(2);
    assertThat(value(scrape, "dispatcher_messages_dropped_total{reason=\"backlog_full\"}")).isEqualTo(1);
    assertThat(counts.received()).isEqualTo(4);
    assertThat(counts.dropped(DropReason.BAD_PAYLOAD)).isEqualTo(2);
    assertThat(counts.droppedByReason()).isEqualTo(Map.of("backlog_full", 1L, "bad_payload", 2L));
  }

  @Test
  void runsAreCountedByOutcomeAndRecordedByTask() {
    metrics.started("app.x");
    metrics.started("app.x");
    metrics.started("app.y");
    metrics.finished("app.x", OutcomeKind.SUCCEEDED, 2_000_000, 0.004);
    metrics.finished("app.x", OutcomeKind.FAILED, 3_000_000, Double.NaN);
    metrics.finished("app.y", OutcomeKind.TIMED_OUT, 4_000_000, 0.5);
    metrics.cancelledBeforeStart("app.z"); // counted, but there was no run to record
    gc();

    String scrape = metrics.prometheus().scrape();
    assertThat(value(scrape, "dispatcher_tasks_started_total")).isEqualTo(3);
    assertThat(value(scrape, "dispatcher_tasks_finished_total{outcome=\"succeeded\"}")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_tasks_finished_total{outcome=\"failed\"}")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_tasks_finished_total{outcome=\"timed_out\"}")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_tasks_finished_total{outcome=\"cancelled\"}")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_task_duration_seconds_count{task=\"app.x\"}")).isEqualTo(2);
    assertThat(value(scrape, "dispatcher_task_queue_wait_seconds_count{task=\"app.x\"}")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_task_duration_seconds_count{task=\"app.y\"}")).isEqualTo(1);
    assertThat(scrape).doesNotContain("task=\"app.z\"");
    assertThat(counts.started()).isEqualTo(3);
    assertThat(counts.finished(OutcomeKind.CANCELLED)).isEqualTo(1);
  }

  @Test
  void stuckRunsAreAGaugeThatFallsWhenTheyReturn() {
    metrics.stuck("app.x");
    metrics.stuck("app.y");
    metrics.unstuck("app.x");

    assertThat(value(metrics.prometheus().scrape(), "dispatcher_tasks_stuck")).isEqualTo(1);
    assertThat(counts.stuck()).isEqualTo(1);
  }

  @Test
  void listenerEventsAndTheLastSelfCheckRoundTrip() {
    metrics.listenerConnected();
    metrics.listenerLost();
    metrics.listenerConnected();
    metrics.selfCheckFailed();
    metrics.selfCheckPassed(3_000_000);
    metrics.selfCheckPassed(1_500_000);
    gc();

    String scrape = metrics.prometheus().scrape();
    assertThat(value(scrape, "dispatcher_listener_connections_total")).isEqualTo(2);
    assertThat(value(scrape, "dispatcher_listener_losses_total")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_listener_self_checks_total")).isEqualTo(2);
    assertThat(value(scrape, "dispatcher_listener_self_check_failures_total")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_listener_self_check_seconds")).isEqualTo(0.0015);
    assertThat(counts.lastSelfCheckNanos()).hasValue(1_500_000);
  }

  @Test
  void chunkResultsAreCountedAsTheAssemblerReportsThem() {
    ChunkAssembler assembler = new ChunkAssembler(1_000, 1 << 20, metrics::chunks);
    assertThat(assembler.accept(chunk("a", 0, 1), 0)).isPresent();
    assembler.accept(chunk("b", 0, 2), 0);
    assembler.accept(chunk("c", 0, 2), 0);
    assertThat(assembler.expire(10_000)).isEqualTo(2);

    String scrape = metrics.prometheus().scrape();
    assertThat(value(scrape, "dispatcher_chunked_messages_total{result=\"completed\"}")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_chunked_messages_total{result=\"expired\"}")).isEqualTo(2);
    assertThat(counts.chunks(ChunkAssembler.Result.EXPIRED)).isEqualTo(2);
    assertThat(counts.chunks(ChunkAssembler.Result.INVALID)).isZero();
  }

  @Test
  void controlRefusalsByReasonAndHandlersNowAndAtMost() {
    metrics.controlRefused(Refusal.NOT_ALLOWED);
    metrics.controlRefused(Refusal.NOT_ALLOWED);
    metrics.controlRefused(Refusal.BUSY);
    metrics.controlHandlerStarted();
    metrics.controlHandlerStarted();
    metrics.controlHandlerEnded();
    gc();

    String scrape = metrics.prometheus().scrape();
    assertThat(value(scrape, "dispatcher_control_refused_total{reason=\"not_allowed\"}")).isEqualTo(2);
    assertThat(value(scrape, "dispatcher_control_handlers_active")).isEqualTo(1);
    assertThat(value(scrape, "dispatcher_control_handlers_peak")).isEqualTo(2);
    assertThat(counts.controlRefusedByReason()).isEqualTo(Map.of("not_allowed", 2L, "busy", 1L));
  }

  /** The line e2e tests and operators grep at shutdown. */
  @Test
  void theSummaryLineNamesEveryCount() {
    metrics.received("orders");
    metrics.started("app.x");
    metrics.finished("app.x", OutcomeKind.SUCCEEDED, 1_000, Double.NaN);
    metrics.dropped(DropReason.UNKNOWN_TASK);
    metrics.dropped(DropReason.BAD_ARGUMENTS);
    metrics.listenerConnected();
    metrics.chunks(ChunkAssembler.Result.EVICTED_FOR_SPACE, 3);
    metrics.durableClaimed(5);
    metrics.durableClaimed(0);

    assertThat(counts.summary()).isEqualTo("received=1 started=1 succeeded=1 failed=0 timed_out=0 cancelled=0 stuck=0 "
        + "dropped={bad_arguments=1, unknown_task=1} listener_connections=1 listener_losses=0 self_checks=0 self_check_failures=0 "
        + "chunks_completed=0 chunks_expired=0 chunks_invalid=0 chunks_evicted=3 durable_claimed=5 durable_claims=2"
        + " durable_empty_claims=1 durable_retries=0"
        + " durable_dead_letters=0 durable_lease_expiries=0");
    assertThat(new DispatcherMetrics().counts().summary()).contains(" dropped={} ");
  }

  private static JsonNode chunk(String id, int index, int total) {
    return WireFormat.newObjectMapper().createObjectNode().put(Chunker.MARKER_KEY, Chunker.MARKER_VERSION).put("message_id", id)
        .put("index", index).put("total", total).put("payload", "x");
  }

  private static void gc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
  }

  private static double value(String scrape, String series) {
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    assertThat(value.find()).as("%s in the scrape", series).isTrue();
    return Double.parseDouble(value.group(1));
  }
}
