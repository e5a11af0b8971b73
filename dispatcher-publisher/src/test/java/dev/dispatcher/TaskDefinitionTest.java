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
  void describeShowsClassMethodParametersAndStatic() {
    assertThat(TaskDefinition.describe(method("explicit")))
        .isEqualTo("dev.dispatcher.TaskDefinitionTest$Tasks.explicit(String, int) [static]");
    assertThat(TaskDefinition.describe(method("instanceTask")))
        .isEqualTo("dev.dispatcher.TaskDefinitionTest$Tasks.instanceTask(long)");
  }
}
