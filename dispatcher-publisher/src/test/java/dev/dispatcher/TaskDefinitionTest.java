package dev.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TaskDefinitionTest {

  static final class Tasks {
    @Task
    static void plain(String to) {}

    @Task(name = "app.tasks.send_email", channel = "email", timeout = 12.5, onDuplicate = OnDuplicate.SERIAL)
    static void explicit(String to, int count) {}

    @Task(bind = true)
    static void bound(TaskContext context, String path) {}

    @Task(bind = true)
    static void boundWithoutContext(String path, TaskContext context) {}

    @Task(bind = true)
    static void boundWithoutParameters() {}

    @Task(channel = "this_channel_name_is_far_too_long_for_postgres_to_keep_it_intact_x")
    static void longChannel() {}

    @Task(timeout = -1)
    static void negativeTimeout() {}

    @Task(timeout = Double.POSITIVE_INFINITY)
    static void infiniteTimeout() {}

    @Task(timeout = Double.NaN)
    static void nanTimeout() {}

    static void notATask() {}

    @Task(durable = true, maxAttempts = 3, backoff = 0.5, maxBackoff = 60, priority = -2, onDuplicate = OnDuplicate.QUEUE_ONE)
    static void durable(long id) {}

    @Task(maxAttempts = 0)
    static void noAttempts() {}

    @Task(maxAttempts = 1001)
    static void tooManyAttempts() {}

    @Task(backoff = -1)
    static void negativeBackoff() {}

    @Task(backoff = 86_401)
    static void backoffPastADay() {}

    @Task(maxBackoff = 2_592_001)
    static void maxBackoffPastThirtyDays() {}

    @Task(maxBackoff = Double.NaN)
    static void nanMaxBackoff() {}

    @Task(durable = true, onDuplicate = OnDuplicate.SERIAL)
    static void durableSerial() {}

    @Task(durable = true, timeout = 604_801)
    static void durableTimeoutPastAWeek() {}

    @Task(timeout = 604_801, onDuplicate = OnDuplicate.SERIAL, maxAttempts = 1000, backoff = 86_400, maxBackoff = 2_592_000)
    static void fireAndForgetAtTheLimits() {}

    @Task
    void instanceTask(long id) {}
  }

  private static Method method(String name) {
    return Arrays.stream(Tasks.class.getDeclaredMethods())
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void defaultNameIsTheBinaryClassNameAndMethod() {
    TaskDefinition definition = TaskDefinition.of(method("plain"));

    assertThat(definition.name()).isEqualTo("dev.dispatcher.TaskDefinitionTest$Tasks.plain");
    assertThat(definition.channel()).isNull();
    assertThat(definition.timeoutSeconds()).isZero();
    assertThat(definition.onDuplicate()).isEqualTo(OnDuplicate.PARALLEL);
    assertThat(definition.bind()).isFalse();
    assertThat(TaskDefinition.of(method("instanceTask")).name())
        .isEqualTo("dev.dispatcher.TaskDefinitionTest$Tasks.instanceTask");
  }

  @Test
  void explicitValuesAreRead() {
    assertThat(TaskDefinition.of(method("explicit")))
        .isEqualTo(new TaskDefinition("app.tasks.send_email", "email", 12.5, OnDuplicate.SERIAL, false));
  }

  @Test
  void boundTaskWithContextFirstIsAccepted() {
    TaskDefinition definition = TaskDefinition.of(method("bound"));
    assertThat(definition.bind()).isTrue();
    assertThat(definition.name()).endsWith("$Tasks.bound");
  }

  @Test
  void boundTaskWithoutContextFirstIsRejectedNamingTheMethod() {
    assertThatThrownBy(() -> TaskDefinition.of(method("boundWithoutContext")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dev.dispatcher.TaskDefinitionTest$Tasks.boundWithoutContext(String, TaskContext)")
        .hasMessageContaining("TaskContext");
    assertThatThrownBy(() -> TaskDefinition.of(method("boundWithoutParameters")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("boundWithoutParameters");
  }

  @Test
  void channelIsValidated() {
    assertThatThrownBy(() -> TaskDefinition.of(method("longChannel")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("this_channel_name_is_far_too_long_for_postgres_to_keep_it_intact_x");
  }

  @Test
  void negativeOrNonFiniteTimeoutIsRejected() {
    for (String name : new String[] {"negativeTimeout", "infiniteTimeout", "nanTimeout"}) {
      assertThatThrownBy(() -> TaskDefinition.of(method(name)))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timeout")
          .hasMessageContaining(name);
    }
    assertThatThrownBy(() -> new TaskDefinition("t", null, -0.5, OnDuplicate.PARALLEL, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unannotatedMethodIsRejected() {
    assertThatThrownBy(() -> TaskDefinition.of(method("notATask")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notATask")
        .hasMessageContaining("@Task");
  }

  @Test
  void blankNameIsRejected() {
    assertThatThrownBy(() -> TaskDefinition.named(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TaskDefinition.named(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(TaskDefinition.named("app.tasks.x"))
        .isEqualTo(new TaskDefinition("app.tasks.x", null, 0, OnDuplicate.PARALLEL, false));
  }

  @Test
  void theDurableValuesHaveTheDocumentedDefaults() {
    TaskDefinition definition = TaskDefinition.of(method("plain"));

    assertThat(definition.durable()).isFalse();
    assertThat(definition.maxAttempts()).isEqualTo(10).isEqualTo(TaskDefinition.DEFAULT_MAX_ATTEMPTS);
    assertThat(definition.backoffSeconds()).isEqualTo(2.0).isEqualTo(TaskDefinition.DEFAULT_BACKOFF_SECONDS);
    assertThat(definition.maxBackoffSeconds()).isEqualTo(3600.0).isEqualTo(TaskDefinition.DEFAULT_MAX_BACKOFF_SECONDS);
    assertThat(definition.priority()).isZero();
    assertThat(TaskDefinition.named("app.tasks.x")).as("a named task: the same defaults, fire-and-forget")
        .isEqualTo(new TaskDefinition("app.tasks.x", null, 0, OnDuplicate.PARALLEL, false, 0, false, 0, 10, 2, 3600));
  }

  @Test
  void theDurableValuesAreRead() {
    assertThat(TaskDefinition.of(method("durable"))).isEqualTo(new TaskDefinition(
        "dev.dispatcher.TaskDefinitionTest$Tasks.durable", null, 0, OnDuplicate.QUEUE_ONE, false, 0, true, -2, 3, 0.5, 60));
  }

  @Test
  void theShorterConstructorsKeepTheDurableDefaults() {
    TaskDefinition definition = new TaskDefinition("t", "c", 1, OnDuplicate.DISCARD, true, 4);

    assertThat(definition).isEqualTo(new TaskDefinition("t", "c", 1, OnDuplicate.DISCARD, true, 4, false, 0, 10, 2, 3600));
    assertThat(new TaskDefinition("t", "c", 1, OnDuplicate.DISCARD, true).maxConcurrency()).isZero();
  }

  @Test
  void durableValuesOutOfTheirRangesAreRejectedNamingTheTaskAndTheValue() {
    String[][] cases = {
        {"noAttempts", "maxAttempts must be from 1 to 1000, was 0"},
        {"tooManyAttempts", "maxAttempts must be from 1 to 1000, was 1001"},
        {"negativeBackoff", "backoff must be from 0 to 86400 seconds, was -1.0"},
        {"backoffPastADay", "backoff must be from 0 to 86400 seconds, was 86401.0"},
        {"maxBackoffPastThirtyDays", "maxBackoff must be from 0 to 2592000 seconds, was 2592001.0"},
        {"nanMaxBackoff", "maxBackoff must be from 0 to 2592000 seconds, was NaN"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> TaskDefinition.of(method(c[0])))
          .as(c[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("task dev.dispatcher.TaskDefinitionTest$Tasks." + c[0] + ": " + c[1]);
    }
  }

  @Test
  void aDurableTaskCannotBeSerialNorRunPastAWeek() {
    assertThatThrownBy(() -> TaskDefinition.of(method("durableSerial")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("task dev.dispatcher.TaskDefinitionTest$Tasks.durableSerial: on_duplicate serial is not supported for"
            + " durable tasks; use discard or queue_one, or publish it fire-and-forget (durable = false)");
    assertThatThrownBy(() -> TaskDefinition.of(method("durableTimeoutPastAWeek")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("durableTimeoutPastAWeek: a durable task's timeout must be at most 604800 seconds (7 days)");
    assertThat(TaskDefinition.of(method("fireAndForgetAtTheLimits")).maxAttempts())
        .as("a fire-and-forget task may be serial and long, and the limits themselves are allowed").isEqualTo(1000);
  }

  @Test
  void describeShowsClassMethodParametersAndStatic() {
    assertThat(TaskDefinition.describe(method("explicit")))
        .isEqualTo("dev.dispatcher.TaskDefinitionTest$Tasks.explicit(String, int) [static]");
    assertThat(TaskDefinition.describe(method("instanceTask")))
        .isEqualTo("dev.dispatcher.TaskDefinitionTest$Tasks.instanceTask(long)");
  }
}
