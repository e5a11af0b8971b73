package dev.dispatcher.service.pool;

import static dev.dispatcher.service.pool.DuplicatePolicy.Decision.ADMIT;
import static dev.dispatcher.service.pool.DuplicatePolicy.Decision.DROP;
import static dev.dispatcher.service.pool.DuplicatePolicy.Decision.HOLD;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** on_duplicate alone: each test plays the pool, queueing what is admitted and reporting what leaves. */
class DuplicatePolicyTest {

  private final DuplicatePolicy policy = new DuplicatePolicy();

  /** As the pool does: decide, and count admitted work as queued. */
  private DuplicatePolicy.Decision submit(Work work) {
    DuplicatePolicy.Decision decision = policy.decide(work);
    if (decision == ADMIT) {
      policy.queued(work);
    }
    return decision;
  }

  private static List<String> uuids(List<Work> works) {
    return works.stream().map(work -> work.message().uuid()).toList();
  }

  @Test
  void parallelWorkIsAlwaysAdmitted() {
    assertThat(submit(TestWork.parallel("p1", 1))).isEqualTo(ADMIT);
    assertThat(submit(TestWork.parallel("p2", 1))).isEqualTo(ADMIT);
    assertThat(policy.held()).isZero();
  }

  @Test
  void discardDropsWhileADuplicateIsActiveAndAdmitsOnceNoneIs() {
    Work first = TestWork.of("d1", "discard", 1);
    assertThat(submit(first)).isEqualTo(ADMIT);
    assertThat(submit(TestWork.of("d2", "discard", 1))).isEqualTo(DROP);
    assertThat(submit(TestWork.of("other", "discard", 2))).as("other arguments: no duplicate").isEqualTo(ADMIT);

    assertThat(policy.left(first)).isNull();
    assertThat(submit(TestWork.of("d3", "discard", 1))).isEqualTo(ADMIT);
  }

  @Test
  void serialHoldsBehindAnyActiveDuplicateAndReleasesOneAtATimeInArrivalOrder() {
    Work first = TestWork.parallel("p", 5); // a parallel duplicate counts too
    submit(first);
    for (int i = 1; i <= 3; i++) {
      assertThat(submit(TestWork.of("s" + i, "serial", 5))).isEqualTo(HOLD);
    }
    assertThat(policy.held()).isEqualTo(3);

    List<String> releases = new ArrayList<>();
    Work done = first;
    for (Work next = policy.left(done); next != null; next = policy.left(next)) {
      releases.add(next.message().uuid());
      assertThat(policy.held()).isEqualTo(3 - releases.size());
    }
    assertThat(releases).containsExactly("s1", "s2", "s3");
    assertThat(policy.held()).isZero();
  }

  @Test
  void aHeldDuplicateIsReleasedOnlyWhenTheLastActiveOneLeaves() {
    Work p1 = TestWork.parallel("p1", 5);
    Work p2 = TestWork.parallel("p2", 5);
    submit(p1);
    submit(p2);
    submit(TestWork.of("s", "serial", 5));

    assertThat(policy.left(p1)).isNull();
    assertThat(policy.left(p2).message().uuid()).isEqualTo("s");
  }

  @Test
  void queueOneHoldsOneAndDropsTheRestUntilItIsReleased() {
    Work first = TestWork.of("q0", "queue_one", 1);
    assertThat(submit(first)).isEqualTo(ADMIT);
    assertThat(submit(TestWork.of("q1", "queue_one", 1))).isEqualTo(HOLD);
    assertThat(submit(TestWork.of("q2", "queue_one", 1))).isEqualTo(DROP);
    assertThat(submit(TestWork.of("q3", "queue_one", 1))).isEqualTo(DROP);

    assertThat(policy.left(first).message().uuid()).isEqualTo("q1");
    assertThat(submit(TestWork.of("q4", "queue_one", 1))).as("room for one again").isEqualTo(HOLD);
    assertThat(submit(TestWork.of("q5", "queue_one", 1))).isEqualTo(DROP);
  }

  @Test
  void workTakenBackLeavesNoTrace() {
    Work queued = TestWork.of("a", "serial", 1);
    submit(queued);
    policy.unqueue(queued);
    Work again = TestWork.of("b", "discard", 1);
    assertThat(submit(again)).as("nothing active any more").isEqualTo(ADMIT);

    Work held = TestWork.of("c", "serial", 1);
    assertThat(submit(held)).isEqualTo(HOLD);
    policy.unhold(held);
    assertThat(policy.held()).isZero();
    assertThat(policy.left(again)).as("nothing held behind it").isNull();
  }

  @Test
  void cancelTakesTheMatchingHeldWorkInOrder() {
    submit(TestWork.parallel("p1", 1));
    submit(TestWork.parallel("p2", 2));
    submit(TestWork.of("a", "serial", 1));
    submit(TestWork.of("b", "serial", 2));
    submit(TestWork.of("c", "serial", 1));

    assertThat(uuids(policy.cancelHeld(work -> !work.message().uuid().equals("b")))).containsExactly("a", "c");
    assertThat(policy.held()).isEqualTo(1);
    List<Work> left = new ArrayList<>();
    policy.forEachHeld(left::add);
    assertThat(uuids(left)).containsExactly("b");
  }

  @Test
  void clearReturnsTheHeldWorkByKeyThenArrivalAndForgetsEveryCount() {
    submit(TestWork.parallel("p1", 1));
    submit(TestWork.parallel("p2", 2));
    submit(TestWork.of("a", "serial", 1));
    submit(TestWork.of("b", "serial", 2));
    submit(TestWork.of("c", "serial", 1));

    assertThat(uuids(policy.clear())).containsExactly("a", "c", "b");
    assertThat(policy.held()).isZero();
    assertThat(submit(TestWork.of("d", "discard", 1))).isEqualTo(ADMIT);
  }
}
