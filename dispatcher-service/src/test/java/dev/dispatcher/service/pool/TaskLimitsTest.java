package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskLimitsTest {

  private final TaskLimits limits = new TaskLimits();

  @Test
  void aTaskWithoutALimitMayAlwaysStart() {
    for (int i = 0; i < 100; i++) {
      Work work = TestWork.parallel("w" + i, i);
      assertThat(limits.mayStart(work)).isTrue();
      limits.started(work);
    }
  }

  @Test
  void aLimitedTaskMayStartWhileUnderItsLimit() {
    Work first = TestWork.task("l1", "unit.limited");
    Work second = TestWork.task("l2", "unit.limited");
    Work third = TestWork.task("l3", "unit.limited");
    limits.started(first);
    assertThat(limits.mayStart(second)).isTrue();
    limits.started(second);

    assertThat(limits.mayStart(third)).isFalse();
    limits.finished(first);
    assertThat(limits.mayStart(third)).isTrue();
    limits.started(third);
    assertThat(limits.mayStart(TestWork.task("l4", "unit.limited"))).isFalse();

    limits.finished(second);
    limits.finished(third);
    limits.finished(third); // one too many is no credit
    limits.started(TestWork.task("l5", "unit.limited"));
    limits.started(TestWork.task("l6", "unit.limited"));
    assertThat(limits.mayStart(TestWork.task("l7", "unit.limited"))).isFalse();
  }

  @Test
  void eachTaskHasItsOwnCount() {
    limits.started(TestWork.task("s1", "unit.single"));

    assertThat(limits.mayStart(TestWork.task("s2", "unit.single"))).isFalse();
    assertThat(limits.mayStart(TestWork.task("l1", "unit.limited"))).isTrue();
    assertThat(limits.mayStart(TestWork.parallel("w", 1))).isTrue();
  }
}
