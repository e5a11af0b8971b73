package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DelaysTest {

  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final LinkedBlockingQueue<Work> due = new LinkedBlockingQueue<>();
  private final Delays delays = new Delays(timer, due::add);

  DelaysTest() {
    timer.setRemoveOnCancelPolicy(true); // as the daemon's timer: a cancelled delay leaves the timer's queue
  }

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private static List<String> uuids(List<Work> works) {
    return works.stream().map(work -> work.message().uuid()).toList();
  }

  @Test
  void workIsHandedOverWhenItsDelayIsOverAndIsDueOnce() throws Exception {
    Work work = TestWork.parallel("later", 1);
    long before = System.nanoTime();
    delays.add(work, TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(delays.size()).isEqualTo(1);

    assertThat(due.poll(10, TimeUnit.SECONDS)).isSameAs(work);
    assertThat(System.nanoTime() - before).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(delays.due(work)).isTrue();
    assertThat(delays.due(work)).as("only once").isFalse();
    assertThat(delays.size()).isZero();
  }

  @Test
  void cancelTakesTheMatchingWorkInArrivalOrderOffTheTimer() {
    long later = TimeUnit.SECONDS.toNanos(30);
    for (String uuid : List.of("c", "a", "b", "d")) {
      delays.add(TestWork.parallel(uuid, 1), later);
    }

    List<Work> cancelled = delays.cancel(work -> !work.message().uuid().equals("b"));

    assertThat(uuids(cancelled)).containsExactly("c", "a", "d");
    assertThat(delays.due(cancelled.get(0))).as("a timer that fires anyway finds nothing").isFalse();
    assertThat(delays.size()).isEqualTo(1);
    assertThat(timer.getQueue()).hasSize(1);
    List<Work> left = new ArrayList<>();
    delays.forEach(left::add);
    assertThat(uuids(left)).containsExactly("b");
  }

  @Test
  void clearCancelsAllOfItAndReturnsItInArrivalOrder() {
    long later = TimeUnit.SECONDS.toNanos(30);
    delays.add(TestWork.parallel("b", 1), later);
    delays.add(TestWork.parallel("a", 1), later);

    assertThat(uuids(delays.clear())).containsExactly("b", "a");
    assertThat(delays.size()).isZero();
    assertThat(timer.getQueue()).isEmpty();
  }
}
