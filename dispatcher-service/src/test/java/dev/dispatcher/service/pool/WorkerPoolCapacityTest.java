package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a claimer pulls against: the free slots, and the signal when one frees. */
class WorkerPoolCapacityTest {

  private final List<WorkerPool> pools = new ArrayList<>();
  /** Each run waits for its own latch: tests end runs by uuid. */
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<String> started = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<Integer> freed = new LinkedBlockingQueue<>();

  @AfterEach
  void close() {
    gates.values().forEach(CountDownLatch::countDown);
    pools.forEach(pool -> pool.shutdown(Duration.ofSeconds(5)));
  }

  private WorkerPool pool(int maxWorkers) {
    WorkerPool pool = TestPools.unbounded(maxWorkers, run -> {
      started.add(run.message().uuid());
      try {
        gate(run.message().uuid()).await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    pool.addSlotListener(freed::add);
    pools.add(pool);
    return pool;
  }

  private CountDownLatch gate(String uuid) {
    return gates.computeIfAbsent(uuid, u -> new CountDownLatch(1));
  }

  private String nextStart() throws InterruptedException {
    String uuid = started.poll(10, TimeUnit.SECONDS);
    assertThat(uuid).as("a run started within 10 s").isNotNull();
    return uuid;
  }

  private int nextFreed() throws InterruptedException {
    Integer free = freed.poll(10, TimeUnit.SECONDS);
    assertThat(free).as("a slot freed within 10 s").isNotNull();
    return free;
  }

  @Test
  void freeSlotsAreTheSlotsNoRunOccupies() throws Exception {
    WorkerPool pool = pool(3);
    assertThat(pool.freeSlots()).isEqualTo(3);

    pool.admit(TestWork.parallel("a", 1));
    pool.admit(TestWork.parallel("b", 2));
    assertThat(pool.freeSlots()).isEqualTo(1);
    pool.admit(TestWork.parallel("c", 3));
    assertThat(pool.admit(TestWork.parallel("d", 4))).isEqualTo(WorkerPool.Admission.QUEUED);
    assertThat(pool.freeSlots()).isZero();

    gate("a").countDown();
    assertThat(List.of(nextStart(), nextStart(), nextStart(), nextStart())).containsExactlyInAnyOrder("a", "b", "c", "d");
    assertThat(pool.freeSlots()).as("d took a's slot").isZero();
    gate("b").countDown();
    assertThat(nextFreed()).isEqualTo(1);
    assertThat(pool.freeSlots()).isEqualTo(1);
  }

  @Test
  void aSlotListenerHearsOfEachSlotThatFreesButNotOfAHandOff() throws Exception {
    WorkerPool pool = pool(2);
    LinkedBlockingQueue<Integer> last = new LinkedBlockingQueue<>();
    pool.addSlotListener(free -> {
      throw new IllegalStateException("a listener that fails");
    });
    pool.addSlotListener(last::add);
    pool.admit(TestWork.parallel("a", 1));
    pool.admit(TestWork.parallel("b", 2));
    pool.admit(TestWork.parallel("c", 3));
    assertThat(List.of(nextStart(), nextStart())).containsExactlyInAnyOrder("a", "b");

    gate("a").countDown();
    assertThat(nextStart()).isEqualTo("c");
    // c runs on a's thread, after the pool would have told of a's slot
    assertThat(freed).as("a hand-off frees no slot").isEmpty();
    gate("b").countDown();
    assertThat(nextFreed()).isEqualTo(1);
    gate("c").countDown();
    assertThat(nextFreed()).isEqualTo(2);
    assertThat(freed).isEmpty();
    assertThat(List.of(last.poll(10, TimeUnit.SECONDS), last.poll(10, TimeUnit.SECONDS)))
        // each thread tells its listeners in turn, outside the lock: two threads may reach this one in either order
        .as("a failing listener keeps none of the others from hearing").containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void aClaimerFetchesAsManyAsAreFreeAndAllOfThemStart() throws Exception {
    WorkerPool pool = pool(4);
    pool.admit(TestWork.parallel("local-1", 1));
    pool.admit(TestWork.parallel("local-2", 2));

    int fetch = pool.freeSlots();
    assertThat(fetch).isEqualTo(2);
    for (int i = 0; i < fetch; i++) {
      assertThat(pool.admit(TestWork.parallel("row-" + i, 10 + i))).isEqualTo(WorkerPool.Admission.STARTED);
    }
    assertThat(pool.freeSlots()).isZero();

    gate("local-1").countDown();
    int more = nextFreed();
    assertThat(more).isEqualTo(1);
    assertThat(pool.admit(TestWork.parallel("row-2", 12))).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(pool.queued()).isZero();
  }

  @Test
  void workHeldBackByItsTaskLimitLeavesItsSlotFreeForOthers() throws Exception {
    WorkerPool pool = pool(3);
    pool.admit(TestWork.task("l1", "unit.limited"));
    pool.admit(TestWork.task("l2", "unit.limited"));
    assertThat(pool.admit(TestWork.task("l3", "unit.limited"))).isEqualTo(WorkerPool.Admission.QUEUED);

    assertThat(pool.freeSlots()).isEqualTo(1);
    assertThat(pool.admit(TestWork.parallel("other", 1))).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(pool.freeSlots()).isZero();
  }

  @Test
  void aPoolShuttingDownHasNoCapacityAndTellsOfNoSlot() throws Exception {
    WorkerPool pool = pool(2);
    Work running = TestWork.parallel("a", 1);
    pool.admit(running);
    assertThat(nextStart()).isEqualTo("a");

    pool.shutdown(Duration.ofMillis(50)); // a never ends by itself: interrupted

    assertThat(pool.freeSlots()).isZero();
    running.state().thread().join(TimeUnit.SECONDS.toMillis(10)); // it would have told the listener before it ended
    assertThat(running.state().thread().isAlive()).isFalse();
    assertThat(freed).isEmpty();
  }
}
