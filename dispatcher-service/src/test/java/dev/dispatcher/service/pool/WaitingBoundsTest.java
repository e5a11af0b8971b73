package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WaitingBoundsTest {

  private final Work a = TestWork.parallel("a", 1);
  private final Work b = TestWork.parallel("b", 2);
  private final long size = a.message().memoryBytes(); // b is as large

  @Test
  void queuedAndHeldWorkIsPastItsBoundBeyondTheCount() {
    WaitingBounds bounds = new WaitingBounds(new WorkerPool.Bounds(2, 10, Long.MAX_VALUE, Long.MAX_VALUE));

    assertThat(bounds.exceeded(2)).isFalse();
    assertThat(bounds.exceeded(3)).isTrue();
  }

  @Test
  void waitingWorkIsPastItsBoundBeyondTheMemoryAndTheAccountFollowsWhatLeaves() {
    WaitingBounds bounds = new WaitingBounds(new WorkerPool.Bounds(100, 100, size * 2 - 1, Long.MAX_VALUE));
    bounds.add(a);
    assertThat(bounds.exceeded(1)).isFalse();
    bounds.add(b);
    assertThat(bounds.bytes()).isEqualTo(size * 2);
    assertThat(bounds.exceeded(2)).isTrue();

    bounds.remove(b);
    assertThat(bounds.exceeded(1)).isFalse();
    assertThat(bounds.bytes()).isEqualTo(size);
    bounds.clear();
    assertThat(bounds.bytes()).isZero();
  }

  @Test
  void delayedWorkFitsUnderTheDelayedCountAndItsOwnMemory() {
    WaitingBounds bounds = new WaitingBounds(new WorkerPool.Bounds(100, 2, size, size * 2));

    assertThat(bounds.fitsDelayed(1, a)).isTrue();
    assertThat(bounds.fitsDelayed(2, a)).as("the count").isFalse();
    bounds.addDelayed(b);
    assertThat(bounds.fitsDelayed(0, a)).as("exactly at the bound").isTrue();
    bounds.addDelayed(a);
    assertThat(bounds.fitsDelayed(0, TestWork.parallel("c", 3))).as("the memory").isFalse();
    bounds.removeDelayed(a);
    assertThat(bounds.bytes()).isEqualTo(size);
  }

  @Test
  void delayedWorkNeverTakesTheRoomOfWorkThatIsDueNow() {
    WaitingBounds bounds = new WaitingBounds(new WorkerPool.Bounds(100, 100, size * 2, size * 2));
    bounds.addDelayed(a);
    bounds.addDelayed(b);
    assertThat(bounds.fitsDelayed(0, TestWork.parallel("c", 3))).as("delayed work is at its bound").isFalse();
    bounds.add(TestWork.parallel("now", 4));
    assertThat(bounds.exceeded(1)).as("queued work still has all of its own room").isFalse();
  }
}
