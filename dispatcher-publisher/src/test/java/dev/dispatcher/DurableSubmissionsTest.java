package dev.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which submissions become durable rows and what each row says, without a database: where each
 * value comes from (the submission, else the task's {@code @Task}, else its defaults) and what a
 * durable submission may not be.
 */
class DurableSubmissionsTest {

  static final class Tasks {
    @Task(channel = "billing", durable = true, timeout = 30, onDuplicate = OnDuplicate.DISCARD, maxAttempts = 5,
        backoff = 10, maxBackoff = 600, priority = 3)
    public static void charge(long orderId) {}

    @Task(channel = "email", timeout = 12, onDuplicate = OnDuplicate.SERIAL, maxAttempts = 2, priority = 9)
    public static void send(String to) {}

    @Task(name = "app.tasks.resize", durable = true, bind = true)
    public static void resize(TaskContext context, String path) {}

    @Task(channel = "events", record = true)
    public static String audit(String what) {
      return what;
    }
  }

  /** Records what a publisher would send. */
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
      return new WatchedTask(uuid, null, null, messages.mapper()); // its uuid only: nothing is sent to wait on
    }
  }

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final MethodReferences references = new MethodReferences();
  private final Recorder recorder = new Recorder();

  private TaskRef1<Long> charge() {
    return new TaskRef1<>(references.definitionOf((TaskMethods.Of1<Long>) Tasks::charge), recorder, SubmitOptions.NONE);
  }

  private TaskRef1<String> send() {
    return new TaskRef1<>(references.definitionOf((TaskMethods.Of1<String>) Tasks::send), recorder, SubmitOptions.NONE);
  }

  private TaskRef1<String> audit() {
    return new TaskRef1<>(references.definitionOf((TaskMethods.Of1<String>) Tasks::audit), recorder, SubmitOptions.NONE);
  }

  private NamedTask named(String name) {
    return new NamedTask(TaskDefinition.named(name), recorder, SubmitOptions.NONE);
  }

  private MessageFactory.Enqueued onlyRow() {
    assertThat(recorder.sent).hasSize(1);
    assertThat(recorder.sent.get(0)).isInstanceOf(MessageFactory.Enqueued.class);
    return (MessageFactory.Enqueued) recorder.sent.get(0);
  }

  private JsonNode onlyRowJson() throws Exception {
    return mapper.readTree(onlyRow().row().json());
  }

  private JsonNode onlyMessage() throws Exception {
    assertThat(recorder.sent).hasSize(1);
    assertThat(recorder.sent.get(0)).isInstanceOf(MessageFactory.Notified.class);
    MessageFactory.Notified notified = (MessageFactory.Notified) recorder.sent.get(0);
    assertThat(notified.notifications()).hasSize(1);
    return mapper.readTree(notified.notifications().get(0).payload());
  }

  @Test
  void submitReturnsAHandleOnTheRowItSendsAndTheClientGoesInTheRow() throws Exception {
    dev.dispatcher.status.TaskHandle handle = charge().withOptions(SubmitOptions.builder().client("shop").build()).submit(42L);

    assertThat(handle.uuid()).isEqualTo(onlyRow().uuid());
    assertThat(onlyRowJson().get("client").textValue()).isEqualTo("shop");
  }

  @Test
  void submitTakesARecordedFireAndForgetTaskItsClientInTheMessage() throws Exception {
    dev.dispatcher.status.TaskHandle handle = audit().withOptions(SubmitOptions.builder().client("shop").build()).submit("opened");

    JsonNode message = onlyMessage();
    assertThat(message.get("uuid").textValue()).isEqualTo(handle.uuid());
    assertThat(message.get("client").textValue()).isEqualTo("shop");
  }

  @Test
  void submitRefusesBeforeSendingWhatWouldHaveNoRow() {
    assertThatThrownBy(() -> send().submit("a@b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a fire-and-forget submission leaves no row to follow");
    assertThatThrownBy(() -> named("app.tasks.x").submit(1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@Task(record = true)");
    assertThatThrownBy(() -> charge().withOptions(SubmitOptions.builder().uuid("order-42").build()).submit(1L))
        .hasMessageContaining("a handle needs a uuid");
    assertThat(recorder.sent).isEmpty();
    assertThat(named("app.tasks.x").submit(List.of(1), Map.of(), SubmitOptions.builder().durable(true).build()).uuid())
        .isEqualTo(onlyRow().uuid());
  }

  @Test
  void aClientIsCheckedWhereItIsGiven() {
    assertThatThrownBy(() -> SubmitOptions.builder().client("").build()).hasMessageContaining("client must be 1 to 100 characters");
    assertThatThrownBy(() -> SubmitOptions.builder().client("x".repeat(101)).build()).hasMessageContaining("was 101 characters");
    assertThatThrownBy(() -> SubmitOptions.builder().client("a\nb").build()).hasMessageContaining("without control characters");
    assertThat(SubmitOptions.builder().client("x".repeat(100)).build().client()).hasSize(100);
  }

  @Test
  void aDurableTaskIsARowWithItsAnnotationsValues() throws Exception {
    String uuid = charge().delay(42L);

    MessageFactory.Enqueued enqueued = onlyRow();
    assertThat(enqueued.uuid()).isEqualTo(uuid);
    assertThat(enqueued.row().channel()).isEqualTo("billing");
    JsonNode row = onlyRowJson();
    assertThat(row.get("task").textValue()).isEqualTo("dev.dispatcher.DurableSubmissionsTest$Tasks.charge");
    assertThat(row.get("channel").textValue()).isEqualTo("billing");
    assertThat(row.get("uuid").textValue()).isEqualTo(uuid);
    assertThat(row.get("args").toString()).isEqualTo("[42]");
    assertThat(row.get("kwargs").toString()).isEqualTo("{}");
    assertThat(row.get("timeout").doubleValue()).isEqualTo(30.0);
    assertThat(row.get("on_duplicate").textValue()).isEqualTo("discard");
    assertThat(row.get("priority").intValue()).isEqualTo(3);
    assertThat(row.get("max_attempts").intValue()).isEqualTo(5);
    assertThat(row.get("backoff").doubleValue()).isEqualTo(10.0);
    assertThat(row.get("max_backoff").doubleValue()).isEqualTo(600.0);
    assertThat(row.has("delay")).isFalse();
    assertThat(row.has("bind")).isFalse();
    double now = System.currentTimeMillis() / 1000.0;
    assertThat(row.get("time_pub").doubleValue()).isBetween(now - 60, now + 1);
  }

  @Test
  void theSubmissionsOptionsWinOverTheAnnotation() throws Exception {
    String uuid = charge().withOptions(SubmitOptions.builder().uuid("my-uuid").channel("urgent").delay(Duration.ofMillis(1500))
        .timeout(Duration.ofSeconds(5)).onDuplicate(OnDuplicate.QUEUE_ONE).priority(-1).maxAttempts(1).build()).delay(7L);

    assertThat(uuid).isEqualTo("my-uuid");
    assertThat(onlyRow().row().channel()).isEqualTo("urgent");
    JsonNode row = onlyRowJson();
    assertThat(row.get("uuid").textValue()).isEqualTo("my-uuid");
    assertThat(row.get("channel").textValue()).isEqualTo("urgent");
    assertThat(row.get("delay").doubleValue()).isEqualTo(1.5);
    assertThat(row.get("timeout").doubleValue()).isEqualTo(5.0);
    assertThat(row.get("on_duplicate").textValue()).isEqualTo("queue_one");
    assertThat(row.get("priority").intValue()).isEqualTo(-1);
    assertThat(row.get("max_attempts").intValue()).isEqualTo(1);
    assertThat(row.get("backoff").doubleValue()).as("not a submission option: the task's").isEqualTo(10.0);
  }

  @Test
  void withoutAnAnnotationTheDefaultsApply() throws Exception {
    named("app.tasks.x").applyAsync(List.of("a"), Map.of("n", 1), SubmitOptions.builder().durable(true).build());

    assertThat(onlyRow().row().channel()).as("the publisher's default channel").isEqualTo("default");
    JsonNode row = onlyRowJson();
    assertThat(row.get("task").textValue()).isEqualTo("app.tasks.x");
    assertThat(row.get("args").toString()).isEqualTo("[\"a\"]");
    assertThat(row.get("kwargs").toString()).isEqualTo("{\"n\":1}");
    assertThat(row.get("on_duplicate").textValue()).isEqualTo("parallel");
    assertThat(row.get("priority").intValue()).isZero();
    assertThat(row.get("max_attempts").intValue()).isEqualTo(10);
    assertThat(row.get("backoff").doubleValue()).isEqualTo(2.0);
    assertThat(row.get("max_backoff").doubleValue()).isEqualTo(3600.0);
    assertThat(row.has("timeout")).isFalse();
  }

  @Test
  void aSubmissionCanMakeAFireAndForgetTaskDurableAndTheAnnotationsDurableValuesThenApply() throws Exception {
    send().withOptions(SubmitOptions.builder().durable(true).onDuplicate(OnDuplicate.DISCARD).build()).delay("a@b");

    JsonNode row = onlyRowJson();
    assertThat(row.get("channel").textValue()).isEqualTo("email");
    assertThat(row.get("priority").intValue()).isEqualTo(9);
    assertThat(row.get("max_attempts").intValue()).isEqualTo(2);
    assertThat(row.get("timeout").doubleValue()).isEqualTo(12.0);
  }

  @Test
  void aSubmissionCanMakeADurableTaskFireAndForget() throws Exception {
    charge().withOptions(SubmitOptions.builder().durable(false).build()).delay(1L);

    JsonNode message = onlyMessage();
    assertThat(keys(message)).containsExactly("uuid", "args", "task", "time_pub", "timeout", "on_duplicate");
  }

  @Test
  void aFireAndForgetMessageIsWhatItWasWhateverTheDurableValuesOfItsTask() throws Exception {
    String uuid = send().delay("a@b");

    JsonNode message = onlyMessage();
    assertThat(keys(message)).containsExactly("uuid", "args", "task", "time_pub", "timeout", "on_duplicate");
    assertThat(message.get("uuid").textValue()).isEqualTo(uuid);
    assertThat(message.get("on_duplicate").textValue()).isEqualTo("serial");
    assertThat(((MessageFactory.Notified) recorder.sent.get(0)).notifications().get(0).channel()).isEqualTo("email");
  }

  @Test
  void aBoundDurableTaskSaysSoInTheRow() throws Exception {
    new TaskRef1<String>(references.definitionOf((TaskMethods.Bound1<String>) Tasks::resize), recorder, SubmitOptions.NONE)
        .delay("img.png");

    JsonNode row = onlyRowJson();
    assertThat(row.get("args").toString()).isEqualTo("[\"img.png\"]");
    assertThat(row.get("bind").booleanValue()).isTrue();
  }

  @Test
  void aLargeDurableTaskIsOneRowNotChunks() throws Exception {
    String big = "é".repeat(20_000);

    named("app.tasks.x").withOptions(SubmitOptions.builder().durable(true).build()).delay(big);

    assertThat(onlyRowJson().get("args").get(0).textValue()).isEqualTo(big);
  }

  @Test
  void serialIsRefusedForADurableSubmission() {
    NamedTask task = named("app.tasks.x").withOptions(
        SubmitOptions.builder().durable(true).onDuplicate(OnDuplicate.SERIAL).build());

    assertThatThrownBy(() -> task.delay(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("task app.tasks.x: on_duplicate serial is not supported for durable tasks;"
            + " use discard or queue_one, or publish it fire-and-forget (durable = false)");
    assertThatThrownBy(() -> send().withOptions(SubmitOptions.builder().durable(true).build()).delay("a@b"))
        .as("the task's own serial, made durable by the submission")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("on_duplicate serial is not supported for durable tasks");
    assertThat(recorder.sent).isEmpty();
  }

  @Test
  void aDelayPastAYearOrATimeoutPastAWeekIsRefusedForADurableSubmission() {
    SubmitOptions.Builder durable = SubmitOptions.builder().durable(true);

    assertThatThrownBy(() -> named("t").withOptions(durable.delay(Duration.ofDays(366)).build()).delay())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("task t: a durable task's delay must be at most 31536000 seconds (a year), was PT8784H");
    assertThatThrownBy(() -> named("t").withOptions(durable.delay(null).timeout(Duration.ofDays(8)).build()).delay())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a durable task's timeout must be at most 604800 seconds (7 days)");
    assertThat(recorder.sent).isEmpty();

    named("t").withOptions(durable.delay(Duration.ofDays(365)).timeout(Duration.ofDays(7)).build()).delay();
    assertThat(recorder.sent).as("the limits themselves are allowed").hasSize(1);
  }

  @Test
  void priorityOrMaxAttemptsOnAFireAndForgetSubmissionIsRefusedNotDropped() {
    for (SubmitOptions options : List.of(SubmitOptions.builder().priority(1).build(),
        SubmitOptions.builder().maxAttempts(3).build(), SubmitOptions.builder().durable(false).maxAttempts(3).build())) {
      assertThatThrownBy(() -> named("app.tasks.x").withOptions(options).delay())
          .as("%s", options)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("task app.tasks.x: priority and maxAttempts are for durable submissions, and this one is"
              + " fire-and-forget; make it durable with SubmitOptions.builder().durable(true) or @Task(durable = true)");
    }
    assertThat(recorder.sent).isEmpty();
  }

  @Test
  void aBatchCollectsDurableAndFireAndForgetSubmissionsAlike() {
    // a batch that tried to send would dereference its (absent) publisher
    PublishBatch batch = new PublishBatch(null, recorder.messages, references);

    String durable = batch.task((TaskMethods.Of1<Long>) Tasks::charge).delay(1L);
    String notified = batch.task((TaskMethods.Of1<String>) Tasks::send).delay("a@b");

    assertThat(batch.size()).isEqualTo(2);
    assertThat(durable).isNotEqualTo(notified);
  }

  private static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }
}
