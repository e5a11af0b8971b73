package dev.dispatcher.service.completion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.DoNotRetry;
import dev.dispatcher.Task;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.message.MessageLimits;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.message.TestMessages;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.pool.DurableClaim;
import dev.dispatcher.service.pool.Outcome;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.wire.WireFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a durable run's outcome becomes in the table, and what follows it. */
class DurableCompleterTest {

  static final class Tasks {
    @Task(name = "durable.work")
    static void work() {}
  }

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final List<Completion> written = new CopyOnWriteArrayList<>();
  private final List<TaskMessage> followUps = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private RegisteredTask task;
  private DurableCompleter completer;

  @BeforeEach
  void setUp() throws Exception {
    task = TaskRegistry.of(List.of(Tasks.class.getDeclaredMethod("work")), mapper).find("durable.work");
    FireAndForgetCompleter report = new FireAndForgetCompleter(new Hooks(List.of()), metrics,
        new TaskMessageReader(mapper, MessageLimits.of(Duration.ofHours(1), Duration.ofHours(1))), followUps::add);
    completer = new DurableCompleter(report, new RetryPolicy(() -> 0.5), written::add, (transaction, completed) -> {
      throw new AssertionError("no run here opens a transaction");
    }, stopping::get, metrics, mapper, "node-a",
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private Work work(int attempt, int maxAttempts) {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", "durable.work").put("uuid", "u" + attempt);
    message.putArray("callbacks").addObject().put("task", "durable.work");
    message.putArray("errbacks").addObject().put("task", "durable.work");
    TaskMessage decoded = TestMessages.of(message, "emails", "u" + attempt);
    return new Work(decoded, task, new Object[0], new DurableClaim(7, attempt, maxAttempts, 2, 3600));
  }

  private void complete(Work work, Outcome outcome) {
    completer.completed(work, new TaskRun(work.message(), "node-a", NOW), outcome, Duration.ofMillis(3));
  }

  @Test
  void aSuccessIsCompletedWithItsResultAndItsCallbacksFollow() throws Exception {
    complete(work(1, 10), new Outcome.Succeeded(List.of(1, 2)));

    assertThat(written).singleElement().isEqualTo(new Completion.Completed(7, 1, "[1,2]", 5, null));
    assertThat(followUps).hasSize(1);
    assertThat(metrics.counts().durableRetries()).isZero();
  }

  /** Kept as JSON, a \u0000 made Postgres refuse the whole batch of outcomes, again every second. */
  @Test
  void aResultWithANulCharacterIsCompletedWithoutItsResultSayingWhy() throws Exception {
    complete(work(1, 10), new Outcome.Succeeded("a\u0000b"));

    assertThat(written).singleElement().isEqualTo(new Completion.Completed(7, 1, null, 10,
        "its JSON holds \\u0000, which Postgres cannot store as jsonb"));
  }

  @Test
  void aFailureWithAttemptsLeftIsRetriedAfterTheBackoffWithoutErrbacks() throws Exception {
    complete(work(2, 10), new Outcome.Failed(new IllegalStateException("boom")));

    Completion.Retry retry = (Completion.Retry) written.get(0);
    assertThat(retry.runAt()).isEqualTo(NOW.plusSeconds(4));
    JsonNode error = mapper.readTree(retry.errorJson());
    assertThat(error.get("attempt").asInt()).isEqualTo(2);
    assertThat(error.get("node").asText()).isEqualTo("node-a");
    assertThat(error.get("error").asText()).isEqualTo("java.lang.IllegalStateException: boom");
    assertThat(error.get("stack").asText()).startsWith("at ");
    assertThat(followUps).as("errbacks wait for the last failure").isEmpty();
    assertThat(metrics.counts().durableRetries()).isEqualTo(1);
  }

  @Test
  void theLastAttemptOrDoNotRetryFailsForGoodAndItsErrbacksFollow() throws Exception {
    complete(work(10, 10), new Outcome.TimedOut(null));
    complete(work(1, 10), new Outcome.Failed(new DoNotRetry("no such order", null)));

    assertThat(written).hasSize(2).allSatisfy(completion -> assertThat(completion).isInstanceOf(Completion.Failed.class));
    assertThat(mapper.readTree(((Completion.Failed) written.get(0)).errorJson()).get("kind").asText()).isEqualTo("timed_out");
    assertThat(followUps).hasSize(2);
    assertThat(metrics.counts().durableDeadLetters()).isEqualTo(2);
  }

  @Test
  void aCancelledRunIsCancelledUnlessTheShutdownCutItShortThenItIsReleased() {
    complete(work(1, 10), new Outcome.Cancelled());
    stopping.set(true);
    complete(work(3, 10), new Outcome.Cancelled());

    assertThat(written).containsExactly(new Completion.Cancelled(7, 1), new Completion.Released(7, 3, "node-a"));
    assertThat(followUps).isEmpty();
  }
}
