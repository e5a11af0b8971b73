package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The slots alone: the test plays the pool's part, a plain queue behind a lock of its own. */
class SlotsTest {

  private final Object lock = new Object();
  private final ArrayDeque<Work> pending = new ArrayDeque<>();
  private final CountDownLatch chainEnded = new CountDownLatch(1);
  private Slots slots;

  private Slots slots(int size, Consumer<Work> runner) {
    slots = new Slots(size, runner, done -> {
      synchronized (lock) {
        slots.vacate(done);
        Work next = pending.poll();
        if (next != null) {
          slots.occupy(next);
        } else {
          chainEnded.countDown();
        }
        return next;
      }
    });
    return slots;
  }

  private void startChain(Work first, Work... then) {
    synchronized (lock) {
      pending.addAll(List.of(then));
      slots.occupy(first);
    }
    slots.start(first);
  }

  @Test
  void workTakesTheLowestFreeSlotAndEachSlotCountsItsFinishedRuns() {
    Slots slots = slots(3, work -> { });
    Work a = TestWork.parallel("a", 1);
    Work b = TestWork.parallel("b", 2);
    Work c = TestWork.parallel("c", 3);
    slots.occupy(a);
    slots.occupy(b);
    slots.occupy(c);
    assertThat(List.of(a.state().slot(), b.state().slot(), c.state().slot())).containsExactly(0, 1, 2);
    assertThat(slots.free()).isZero();
    assertThatThrownBy(() -> slots.occupy(TestWork.parallel("d", 4))).isInstanceOf(IllegalStateException.class);

    slots.vacate(b);
    slots.vacate(a);
    assertThat(slots.busy()).isEqualTo(1);
    Work d = TestWork.parallel("d", 4);
    slots.occupy(d);

    assertThat(d.state().slot()).isZero();
    assertThat(slots.view()).containsExactly(new WorkerPool.Slot(0, d, 1), new WorkerPool.Slot(1, null, 1), new WorkerPool.Slot(2, c, 0));
    List<Work> running = new CopyOnWriteArrayList<>();
    slots.forEachRunning(running::add);
    assertThat(running).containsExactly(d, c);
  }

  @Test
  void aThreadRunsItsWorkThenWhatTheHandoffGivesIt() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    List<Thread> threads = new CopyOnWriteArrayList<>();
    Slots slots = slots(1, work -> {
      ran.add(work.message().uuid());
      threads.add(Thread.currentThread());
    });

    startChain(TestWork.parallel("a", 1), TestWork.parallel("b", 2), TestWork.parallel("c", 3));

    assertThat(chainEnded.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("a", "b", "c");
    assertThat(threads).hasSize(3).allMatch(Thread::isVirtual).containsOnly(threads.get(0));
    synchronized (lock) {
      assertThat(slots.view()).containsExactly(new WorkerPool.Slot(0, null, 3));
    }
  }

  @Test
  void aFailureOrAnInterruptEndsOnlyItsOwnRunAndCancelledWorkIsNotRun() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    List<Boolean> interruptedAtStart = new CopyOnWriteArrayList<>();
    slots(1, work -> {
      ran.add(work.message().uuid());
      interruptedAtStart.add(Thread.currentThread().isInterrupted());
      switch (work.message().uuid()) {
        case "fails" -> throw new IllegalStateException("task blew up");
        case "interrupts" -> Thread.currentThread().interrupt();
        default -> { }
      }
    });
    Work cancelled = TestWork.parallel("cancelled", 3);
    cancelled.state().cancel();

    startChain(TestWork.parallel("fails", 1), TestWork.parallel("interrupts", 2), cancelled, TestWork.parallel("last", 4));

    assertThat(chainEnded.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("fails", "interrupts", "last");
    assertThat(interruptedAtStart).containsOnly(false);
    assertThat(cancelled.state().isFinished()).isTrue();
  }
}
