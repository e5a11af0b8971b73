package dev.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.WireFormat;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The result cache on the publisher's side, without a database: how {@code @Task(cacheFor)} is
 * read, which {@code cache_for} a row carries (none at all for a task without a cache), when the
 * row may be answered from the cache, and what is refused.
 */
class ResultCacheSubmissionsTest {

  static final class Tasks {
    @Task(channel = "quotes", durable = true, cacheFor = "10m")
    public static double quote(String symbol) {
      return 1;
    }

    @Task(channel = "quotes", durable = true)
    public static double uncached(String symbol) {
      return 1;
    }

    @Task(channel = "quotes")
    public static void fireAndForget(String symbol) {}

    @Task(durable = true, cacheFor = "1.5s")
    static void fraction() {}

    @Task(durable = true, cacheFor = "500ms")
    static void millis() {}

    @Task(durable = true, cacheFor = "600")
    static void seconds() {}

    @Task(durable = true, cacheFor = " 2h ")
    static void hours() {}

    @Task(durable = true, cacheFor = "7d")
    static void days() {}

    @Task(durable = true, cacheFor = "0")
    static void zero() {}

    @Task(durable = true, cacheFor = "ten minutes")
    static void notADuration() {}

    @Task(durable = true, cacheFor = "-5s")
    static void negative() {}

    @Task(durable = true, cacheFor = "366d")
    static void pastAYear() {}

    @Task(cacheFor = "10m")
    static void cachedButFireAndForget() {}
  }

  /** Records what a publisher would send; answers as a publisher without a cache hit would. */
  private static final class Recorder implements TaskSubmitter {
    final MessageFactory messages = new MessageFactory(WireFormat.newObjectMapper(), "default");
    final List<MessageFactory.Encoded> sent = new ArrayList<>();

    @Override
    public MessageFactory messages() {
      return messages;
    }

    @Override
    public void accept(MessageFactory.Encoded submission) {
      sent.add(submission);
    }

    @Override
    public dev.dispatcher.status.TaskHandle handle(String uuid) {
      return new WatchedTask(uuid, null, null, messages.mapper());
    }
  }

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final MethodReferences references = new MethodReferences();
  private final Recorder recorder = new Recorder();

  private TaskRef1<String> quote() {
    return new TaskRef1<>(references.definitionOf((TaskMethods.Of1<String>) Tasks::quote), recorder, SubmitOptions.NONE);
  }

  private TaskRef1<String> uncached() {
    return new TaskRef1<>(references.definitionOf((TaskMethods.Of1<String>) Tasks::uncached), recorder, SubmitOptions.NONE);
  }

  private TaskRef1<String> fireAndForget() {
    return new TaskRef1<>(references.definitionOf((TaskMethods.Of1<String>) Tasks::fireAndForget), recorder, SubmitOptions.NONE);
  }

  private static Method method(String name) throws NoSuchMethodException {
    return Tasks.class.getDeclaredMethod(name);
  }

  private MessageFactory.Enqueued lastRow() {
    assertThat(recorder.sent).isNotEmpty();
    return (MessageFactory.Enqueued) recorder.sent.get(recorder.sent.size() - 1);
  }

  private JsonNode lastRowJson() throws Exception {
    return mapper.readTree(lastRow().row().json());
  }

  @Test
  void cacheForIsADurationAsTheConfigurationWritesOne() throws Exception {
    assertThat(TaskDefinition.of(Tasks.class.getMethod("quote", String.class)).cacheForSeconds()).isEqualTo(600);
    assertThat(TaskDefinition.of(method("fraction")).cacheForSeconds()).isEqualTo(1.5);
    assertThat(TaskDefinition.of(method("millis")).cacheForSeconds()).isEqualTo(0.5);
    assertThat(TaskDefinition.of(method("seconds")).cacheForSeconds()).isEqualTo(600);
    assertThat(TaskDefinition.of(method("hours")).cacheForSeconds()).isEqualTo(7200);
    assertThat(TaskDefinition.of(method("days")).cacheForSeconds()).isEqualTo(604_800);
    assertThat(TaskDefinition.of(method("zero")).cacheForSeconds()).isZero();
    assertThat(TaskDefinition.of(Tasks.class.getMethod("uncached", String.class)).cacheForSeconds()).as("the default: none").isZero();
  }

  @Test
  void aBadCacheForIsRefusedNamingTheMethodOrTheTask() {
    assertThatThrownBy(() -> TaskDefinition.of(method("notADuration"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Tasks.class.getName() + ".notADuration()")
        .hasMessageContaining("@Task(cacheFor): expected a duration such as 600 (seconds), 500ms, 30s, 10m, 1h or 7d, found 'ten minutes'");
    assertThatThrownBy(() -> TaskDefinition.of(method("negative"))).hasMessageContaining("found '-5s'");
    assertThatThrownBy(() -> TaskDefinition.of(method("pastAYear")))
        .hasMessageContaining("cacheFor must be from 0 to 31536000 seconds, was 3.16224E7");
    assertThatThrownBy(() -> TaskDefinition.of(method("cachedButFireAndForget")))
        .hasMessageContaining("cacheFor is for durable tasks (a cached result is a row of the task table), and this one is"
            + " fire-and-forget; add durable = true to its @Task");
    assertThatThrownBy(() -> SubmitOptions.builder().cacheFor(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("cacheFor must be from 0 to 31536000 seconds (a year): PT-1S");
    assertThatThrownBy(() -> SubmitOptions.builder().cacheFor(Duration.ofDays(366)).build()).hasMessageContaining("cacheFor must be");
    assertThat(SubmitOptions.builder().cacheFor(Duration.ofDays(365)).build().cacheFor()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void aCachedTasksRowCarriesItsCacheForAndMayBeAnsweredFromTheCache() throws Exception {
    String uuid = quote().delay("ACME");

    assertThat(uuid).as("no answer read here: the submission's own uuid").isEqualTo(lastRow().uuid());
    assertThat(lastRowJson().get("cache_for").doubleValue()).isEqualTo(600);
    assertThat(lastRow().row().cacheLookup()).isTrue();

    uncached().withOptions(SubmitOptions.builder().cacheFor(Duration.ofSeconds(30)).build()).delay("ACME");
    assertThat(lastRowJson().get("cache_for").doubleValue()).as("a submission's own, on a task without a cache").isEqualTo(30);
    assertThat(lastRow().row().cacheLookup()).isTrue();

    quote().withOptions(SubmitOptions.builder().cacheFor(Duration.ofMillis(1500)).build()).delay("ACME");
    assertThat(lastRowJson().get("cache_for").doubleValue()).as("the submission's over the task's").isEqualTo(1.5);
  }

  @Test
  void zeroAndAGivenUuidRunTheTaskAndKeyItsRowForLaterSubmissions() throws Exception {
    quote().withOptions(SubmitOptions.builder().cacheFor(Duration.ZERO).build()).delay("ACME");
    assertThat(lastRowJson().get("cache_for").doubleValue()).isZero();
    assertThat(lastRow().row().cacheLookup()).isFalse();

    String given = "5d4c2f0e-8b1a-4f7e-9c3d-2a1b0c9d8e7f";
    assertThat(quote().withOptions(SubmitOptions.builder().uuid(given).build()).delay("ACME")).isEqualTo(given);
    assertThat(lastRowJson().get("uuid").textValue()).isEqualTo(given);
    assertThat(lastRowJson().get("cache_for").doubleValue()).as("its uuid is to name its row: never answered by another").isZero();
    assertThat(lastRow().row().cacheLookup()).isFalse();
  }

  @Test
  void aTaskWithoutACacheSendsNoCacheForAtAll() throws Exception {
    uncached().delay("ACME");
    assertThat(lastRowJson().has("cache_for")).isFalse();
    assertThat(lastRow().row().cacheLookup()).isFalse();

    uncached().withOptions(SubmitOptions.builder().cacheFor(Duration.ZERO).build()).delay("ACME");
    assertThat(lastRowJson().has("cache_for")).as("zero on a task without a cache: nothing to bypass, nothing to key").isFalse();
  }

  @Test
  void aFireAndForgetSubmissionRefusesACacheAndZeroIsNoCache() throws Exception {
    assertThatThrownBy(() -> fireAndForget().withOptions(SubmitOptions.builder().cacheFor(Duration.ofMinutes(1)).build()).delay("ACME"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task " + Tasks.class.getName() + ".fireAndForget: cacheFor is for durable submissions");
    assertThatThrownBy(() -> quote().withOptions(SubmitOptions.builder().durable(false).cacheFor(Duration.ofMinutes(1)).build())
        .delay("ACME")).hasMessageContaining("cacheFor is for durable submissions");
    assertThat(recorder.sent).isEmpty();

    fireAndForget().withOptions(SubmitOptions.builder().cacheFor(Duration.ZERO).build()).delay("ACME");
    assertThat(recorder.sent.get(0)).isInstanceOf(MessageFactory.Notified.class);
  }

  @Test
  void aBatchRefusesASubmissionTheCacheMayAnswerAndTakesOneThatRunsAnyway() {
    PublishBatch batch = new PublishBatch(null, recorder.messages, references); // it never sends here

    assertThatThrownBy(() -> batch.task((TaskMethods.Of1<String>) Tasks::quote).delay("ACME"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task " + Tasks.class.getName() + ".quote: a batch cannot take a submission the result cache may answer")
        .hasMessageContaining("SubmitOptions.builder().cacheFor(Duration.ZERO)");
    assertThat(batch.size()).isZero();

    batch.task((TaskMethods.Of1<String>) Tasks::quote).withOptions(SubmitOptions.builder().cacheFor(Duration.ZERO).build()).delay("ACME");
    batch.task((TaskMethods.Of1<String>) Tasks::uncached).delay("ACME");
    assertThat(batch.size()).isEqualTo(2);
  }

  @Test
  void aHandleMadeByUuidIsNotCached() {
    assertThat(quote().submit("ACME").cached()).as("no cache answer from this submitter").isFalse();
    assertThat(new WatchedTask("5d4c2f0e-8b1a-4f7e-9c3d-2a1b0c9d8e7f", null, null, mapper, true).cached()).isTrue();
  }

  @Test
  void aCachedHandleWhoseRowIsGoneSaysSoInsteadOfWaitingForEver() {
    // no listener: a wait would dereference it, so the handle must answer from the read alone
    WatchedTask gone = new WatchedTask("5d4c2f0e-8b1a-4f7e-9c3d-2a1b0c9d8e7f", null, uuid -> java.util.Optional.empty(), mapper, true);

    assertThatThrownBy(() -> gone.result(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
        .hasMessage("task 5d4c2f0e-8b1a-4f7e-9c3d-2a1b0c9d8e7f: the row that answered from the result cache is gone"
            + " (deleted after durable.completed_retention)");
    assertThat(gone.future()).isCompletedExceptionally();
  }
}
