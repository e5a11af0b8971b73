package dev.dispatcher.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoMixTest {

  @Test
  void expectedFailuresCountsEveryFailSlotAmongTheFirstN() {
    int failIndex = DemoMix.KINDS.indexOf("fail");
    for (int count = 0; count <= 3 * DemoMix.KINDS.size() + 2; count++) {
      int expected = 0;
      for (int i = 0; i < count; i++) {
        if (i % DemoMix.KINDS.size() == failIndex) {
          expected++;
        }
      }
      assertThat(DemoMix.expectedFailures(count)).as("count %d", count).isEqualTo(expected);
    }
    assertThat(DemoMix.expectedFailures(1000)).isEqualTo(166);
  }

  @Test
  void needsAtLeastOneChannel() {
    assertThatThrownBy(() -> new DemoMix(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyKindNamesARegisteredDemoTask() throws Exception {
    List<String> taskMethods = List.of("hello", "sum2", "mult3", "sleep", "insertRow", "fail");
    assertThat(DemoMix.KINDS).hasSameSizeAs(taskMethods);
    for (java.lang.reflect.Method method : DemoTasks.class.getDeclaredMethods()) {
      if (method.isAnnotationPresent(dev.dispatcher.Task.class)) {
        assertThat(taskMethods).contains(method.getName());
      }
    }
  }
}
