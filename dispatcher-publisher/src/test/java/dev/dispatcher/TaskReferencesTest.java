package dev.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.Notification;
import dev.dispatcher.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Type-safe references and message building, without a database: the references hand their
 * notifications to a recording {@link TaskSubmitter} instead of a connection.
 */
class TaskReferencesTest {

  static final class EmailTasks {
    @Task(channel = "email", timeout = 30, onDuplicate = OnDuplicate.DISCARD)
    public static void send(String to, int count) {}

    @Task(name = "app.tasks.resize", bind = true)
    public static void resize(TaskContext context, String path) {}

    @Task
    public static void noChannel(long id) {}

    public static void notATask(String x) {}
  }

  public static final class Greeter {
    @Task(name = "greet")
    public void greet(String who) {}
  }

  private record Sent(String uuid, List<Notification> notifications) {}

  private static final class Recorder implements TaskSubmitter {
    final MessageFactory messages;
    final List<Sent> sent = new ArrayList<>();

    Recorder(String defaultChannel) {
      messages = new MessageFactory(WireFormat.newObjectMapper(), defaultChannel);
    }

    @Override
    public MessageFactory messages() {
      return messages;
    }

    @Override
    public void accept(MessageFactory.Encoded submission) {
      MessageFactory.Notified notified = (MessageFactory.Notified) submission;
      sent.add(new Sent(notified.uuid(), notified.notifications()));
    }

    @Override
    public dev.dispatcher.status.TaskHandle handle(String uuid) {
      return new WatchedTask(uuid, null, null, messages.mapper()); // its uuid only: nothing is sent to wait on
    }
  }

  private static final String UUID_V7 = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final MethodReferences references = new MethodReferences();

  private JsonNode onlyMessage(Recorder recorder) throws Exception {
    assertThat(recorder.sent).hasSize(1);
    assertThat(recorder.sent.get(0).notifications()).hasSize(1);
    return mapper.readTree(recorder.sent.get(0).notifications().get(0).payload());
  }

  @Test
  void methodReferenceCarriesTheAnnotationDefaults() throws Exception {
    Recorder recorder = new Recorder("default");
    TaskRef2<String, Integer> ref = new TaskRef2<>(references.definitionOf(
        (TaskMethods.Of2<String, Integer>) EmailTasks::send), recorder, SubmitOptions.NONE);

    String uuid = ref.delay("ops@example.com", 3);

    assertThat(uuid).matches(UUID_V7);
    assertThat(recorder.sent.get(0).uuid()).isEqualTo(uuid);
    assertThat(recorder.sent.get(0).notifications().get(0).channel()).isEqualTo("email");
    JsonNode message = onlyMessage(recorder);
    assertThat(message.get("uuid").textValue()).isEqualTo(uuid);
    assertThat(message.get("task").textValue()).isEqualTo("dev.dispatcher.TaskReferencesTest$EmailTasks.send");
    assertThat(message.get("args").toString()).isEqualTo("[\"ops@example.com\",3]");
    assertThat(message.get("timeout").doubleValue()).isEqualTo(30.0);
    assertThat(message.get("on_duplicate").textValue()).isEqualTo("discard");
    assertThat(message.has("bind")).isFalse();
    assertThat(message.has("kwargs")).isFalse();
    double now = System.currentTimeMillis() / 1000.0;
    assertThat(message.get("time_pub").doubleValue()).isBetween(now - 60, now + 1);
  }

  @Test
  void submitOptionsOverrideTheDefaults() throws Exception {
    Recorder recorder = new Recorder("default");
    TaskRef2<String, Integer> ref = new TaskRef2<String, Integer>(references.definitionOf(
        (TaskMethods.Of2<String, Integer>) EmailTasks::send), recorder, SubmitOptions.NONE)
        .withOptions(SubmitOptions.builder()
            .uuid("my-uuid").channel("urgent").delay(Duration.ofSeconds(5)).timeout(Duration.ofMillis(1500))
            .onDuplicate(OnDuplicate.SERIAL).build());

    assertThat(ref.delay("a@b", 1)).isEqualTo("my-uuid");

    assertThat(recorder.sent.get(0).notifications().get(0).channel()).isEqualTo("urgent");
    JsonNode message = onlyMessage(recorder);
    assertThat(message.get("uuid").textValue()).isEqualTo("my-uuid");
    assertThat(message.get("delay").doubleValue()).isEqualTo(5.0);
    assertThat(message.get("timeout").doubleValue()).isEqualTo(1.5);
    assertThat(message.get("on_duplicate").textValue()).isEqualTo("serial");
  }

  @Test
  void boundTaskSendsBindAndOnlyTheCallersArguments() throws Exception {
    Recorder recorder = new Recorder("default");
    TaskDefinition definition = references.definitionOf((TaskMethods.Bound1<String>) EmailTasks::resize);
    assertThat(definition.bind()).isTrue();

    new TaskRef1<String>(definition, recorder, SubmitOptions.NONE).delay("img.png");

    JsonNode message = onlyMessage(recorder);
    assertThat(message.get("task").textValue()).isEqualTo("app.tasks.resize");
    assertThat(message.get("args").toString()).isEqualTo("[\"img.png\"]");
    assertThat(message.get("bind").booleanValue()).isTrue();
    assertThat(recorder.sent.get(0).notifications().get(0).channel()).isEqualTo("default");
  }

  @Test
  void namedTaskUsesTheDefaultChannelAndKwargs() throws Exception {
    Recorder recorder = new Recorder("tasks");
    NamedTask task = new NamedTask(TaskDefinition.named("app.tasks.send_email"), recorder, SubmitOptions.NONE);

    String uuid = task.applyAsync(List.of(), Map.of("to", "ops@example.com"), null);

    JsonNode message = onlyMessage(recorder);
    assertThat(message.get("uuid").textValue()).isEqualTo(uuid);
    assertThat(message.get("task").textValue()).isEqualTo("app.tasks.send_email");
    assertThat(message.has("args")).isFalse();
    assertThat(message.get("kwargs").toString()).isEqualTo("{\"to\":\"ops@example.com\"}");
    assertThat(recorder.sent.get(0).notifications().get(0).channel()).isEqualTo("tasks");
  }

  @Test
  void noChannelAnywhereIsRejectedBeforeAnythingIsSent() {
    Recorder recorder = new Recorder(null);
    TaskRef1<Long> ref = new TaskRef1<>(references.definitionOf((TaskMethods.Of1<Long>) EmailTasks::noChannel),
        recorder, SubmitOptions.NONE);

    assertThatThrownBy(() -> ref.delay(1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("noChannel");
    assertThat(recorder.sent).isEmpty();
  }

  @Test
  void largeSubmissionIsChunkedOnOneChannel() throws Exception {
    Recorder recorder = new Recorder("default");
    String big = "é😀\"\\".repeat(4_000);
    String uuid = new NamedTask(TaskDefinition.named("t"), recorder, SubmitOptions.NONE).delay(big);

    List<Notification> notifications = recorder.sent.get(0).notifications();
    assertThat(notifications).hasSizeGreaterThan(2);
    ChunkAssembler assembler = new ChunkAssembler(Duration.ofMinutes(1).toNanos(), 1_000_000);
    Optional<String> whole = Optional.empty();
    for (Notification notification : notifications) {
      assertThat(notification.channel()).isEqualTo("default");
      assertThat(notification.payload().getBytes(StandardCharsets.UTF_8).length).isLessThan(8000);
      whole = assembler.accept(mapper.readTree(notification.payload()), 0);
    }
    JsonNode message = mapper.readTree(whole.orElseThrow());
    assertThat(message.get("uuid").textValue()).isEqualTo(uuid);
    assertThat(message.get("args").get(0).textValue()).isEqualTo(big);
  }

  @Test
  void lambdaIsNotATaskReference() {
    assertThatThrownBy(() -> references.definitionOf((TaskMethods.Of1<String>) to -> EmailTasks.send(to, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lambda");
  }

  @Test
  void unannotatedMethodIsNotATask() {
    assertThatThrownBy(() -> references.definitionOf((TaskMethods.Of1<String>) EmailTasks::notATask))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notATask")
        .hasMessageContaining("@Task");
  }

  @Test
  void instanceMethodNeedsAnInstance() {
    assertThatThrownBy(() -> references.definitionOf((TaskMethods.Of2<Greeter, String>) Greeter::greet))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("greet")
        .hasMessageContaining("instance");

    Greeter greeter = new Greeter();
    assertThat(references.definitionOf((TaskMethods.Of1<String>) greeter::greet).name()).isEqualTo("greet");
  }

  @Test
  void batchCollectsWithoutSending() {
    // a batch that tried to send would dereference its (absent) publisher
    PublishBatch batch = new PublishBatch(null, new MessageFactory(WireFormat.newObjectMapper(), "tasks"),
        new MethodReferences());

    String first = batch.task((TaskMethods.Of2<String, Integer>) EmailTasks::send).delay("a@b", 1);
    String second = batch.task("app.tasks.other").delay();

    assertThat(batch.size()).isEqualTo(2);
    assertThat(first).isNotEqualTo(second).matches(UUID_V7);
    assertThat(second).matches(UUID_V7);
  }

  /** What a user might pass by mistake: state in private fields, no getters. */
  static final class Customer {
    private final long id = 7;

    @Override
    public String toString() {
      return "customer " + id;
    }
  }

  @Test
  void anArgumentThatWouldArriveAsAnEmptyObjectIsRefusedAndNothingIsSent() {
    Recorder recorder = new Recorder("default");
    NamedTask task = new NamedTask(TaskDefinition.named("app.tasks.bill"), recorder, SubmitOptions.NONE);

    assertThatThrownBy(() -> task.delay("fine", new Customer()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("task argument args[1] (" + Customer.class.getName() + ") would be sent as {}");
    assertThatThrownBy(() -> task.applyAsync(List.of(), Map.of("customer", new Object()), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("task argument kwargs.customer (java.lang.Object) would be sent as {}");
    assertThat(recorder.sent).isEmpty();
  }
}
