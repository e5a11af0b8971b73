package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Task;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TestMessages;
import dev.dispatcher.service.registry.RegisteredTask;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** on_duplicate, per-task limits, delays and cancel, with runners that block until released. */
class WorkerPoolAdmissionTest {

  static final class Tasks {
    @Task(name = "dup.work")
    static void work(long n) {}

    @Task(name = "dup.limited", maxConcurrency = 2)
    static void limited() {}

    @Task(name = "dup.serialByDefault", onDuplicate = dev.dispatcher.OnDuplicate.SERIAL)
    static void serialByDefault() {}
  }

  private static RegisteredTask work;
  private static RegisteredTask limited;
  private static RegisteredTask serialByDefault;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<WorkerPool> pools = new ArrayList<>();
  /** Each run waits for its own latch: tests end runs by uuid. */
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<String> started = new LinkedBlockingQueue<>();
  private final List<String> ended = Collections.synchronizedList(new ArrayList<>());
  private final List<String> admissions = Collections.synchronizedList(new ArrayList<>());
  /** The same reports, to wait on: a later admission is reported after the run may have started. */
  private final LinkedBlockingQueue<String> reported = new LinkedBlockingQueue<>();

  @BeforeAll
  static void registry() throws Exception {
    TaskRegistry registry = TaskRegistry.of(List.of(Tasks.class.getDeclaredMethod("work", long.class),
        Tasks.class.getDeclaredMethod("limited"), Tasks.class.getDeclaredMethod("serialByDefault")), WireFormat.newObjectMapper());
    work = registry.find("dup.work");
    limited = registry.find("dup.limited");
    serialByDefault = registry.find("dup.serialByDefault");
  }

  @AfterEach
  void close() {
    gates.values().forEach(CountDownLatch::countDown);
    pools.forEach(pool -> pool.shutdown(Duration.ofSeconds(5)));
    timer.shutdownNow();
  }

  private WorkerPool pool(int maxWorkers) {
    return pool(maxWorkers, TestPools.UNBOUNDED);
  }

  private WorkerPool pool(int maxWorkers, WorkerPool.Bounds bounds) {
    WorkerPool pool = new WorkerPool(maxWorkers, run -> {
      started.add(run.message().uuid());
      try {
        gate(run.message().uuid()).await();
      } catch (InterruptedException e) {
        ended.add(run.message().uuid() + ":interrupted");
        return;
      }
      ended.add(run.message().uuid());
    }, timer, new WorkerPool.Events() {
      @Override
      public void admitted(Work w, WorkerPool.Admission admission) {
        admissions.add(w.message().uuid() + ":" + admission);
        reported.add(w.message().uuid() + ":" + admission);
      }
    }, bounds);
    pools.add(pool);
    return pool;
  }

  private static Work dup(String uuid, String onDuplicate, long arg) {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", "dup.work").put("uuid", uuid).put("on_duplicate", onDuplicate);
    message.putArray("args").add(arg);
    return new Work(TestMessages.of(message, "ch", "x"), work, new Object[] {arg});
  }

  private static Work limitedWork(String uuid) {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", "dup.limited").put("uuid", uuid);
    return new Work(TestMessages.of(message, "ch", "x"), limited, new Object[0]);
  }

  private CountDownLatch gate(String uuid) {
    return gates.computeIfAbsent(uuid, u -> new CountDownLatch(1));
  }

  private void end(String uuid) {
    gate(uuid).countDown();
  }

  private String nextStart() throws InterruptedException {
    String uuid = started.poll(10, TimeUnit.SECONDS);
    assertThat(uuid).as("a run started within 10 s").isNotNull();
    return uuid;
  }

  private List<WorkerPool.Admission> admitTen(WorkerPool pool, String policy) {
    List<WorkerPool.Admission> result = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      result.add(pool.admit(dup("m" + i, policy, 7)));
    }
    return result;
  }

  @Test
  void aBurstIsAdmittedAsOneAfterTheOtherWouldBe() throws Exception {
    WorkerPool pool = pool(2, new WorkerPool.Bounds(3, 10, Long.MAX_VALUE, Long.MAX_VALUE));
    List<Work> burst = List.of(dup("b0", "parallel", 1), dup("b1", "serial", 1), dup("b2", "parallel", 2), dup("b3", "serial", 1),
        dup("b4", "discard", 1), dup("b5", "parallel", 3), dup("b6", "parallel", 4), dup("b7", "parallel", 5), dup("b8", "parallel", 6));

    assertThat(pool.admitAll(burst)).containsExactly(WorkerPool.Admission.STARTED, WorkerPool.Admission.HELD,
        WorkerPool.Admission.STARTED, WorkerPool.Admission.HELD, WorkerPool.Admission.DROPPED_DUPLICATE, WorkerPool.Admission.QUEUED,
        WorkerPool.Admission.QUEUE_FULL, WorkerPool.Admission.QUEUE_FULL, WorkerPool.Admission.QUEUE_FULL);
    assertThat(List.of(nextStart(), nextStart())).containsExactlyInAnyOrder("b0", "b2");
    assertThat(pool.held()).isEqualTo(2);
    assertThat(pool.queued()).isEqualTo(1);
  }

  /** Cost: admitted one by one, a burst started a thread for nearly every task; now one per free slot. */
  @Test
  void aBurstStartsOneThreadPerFreeSlotAndTheyRunTheRest() throws Exception {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    WorkerPool pool = new WorkerPool(3, run -> {
      order.add(run.message().uuid());
      threads.add(Thread.currentThread());
    }, timer, (w, admission) -> { }, TestPools.UNBOUNDED);
    pools.add(pool);
    List<Work> burst = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      burst.add(dup("r" + i, "parallel", i));
    }

    List<WorkerPool.Admission> admitted = pool.admitAll(burst);
    TestPools.awaitQuiet(pool);

    assertThat(admitted.subList(0, 3)).containsOnly(WorkerPool.Admission.STARTED);
    assertThat(admitted.subList(3, 200)).containsOnly(WorkerPool.Admission.QUEUED);
    assertThat(threads).hasSize(3);
    assertThat(order).containsExactlyInAnyOrderElementsOf(burst.stream().map(w -> w.message().uuid()).toList());
  }

  @Test
  void aBurstAfterShutdownIsRefused() {
    WorkerPool pool = pool(2);
    pool.shutdown(Duration.ZERO);
    assertThat(pool.admitAll(List.of(dup("c0", "parallel", 1), dup("c1", "parallel", 2))))
        .containsExactly(WorkerPool.Admission.CLOSED, WorkerPool.Admission.CLOSED);
  }

  @Test
  void serialRunsOneAndHoldsNineThenRunsThemOneAfterAnotherInArrivalOrder() throws Exception {
    WorkerPool pool = pool(8);
    List<WorkerPool.Admission> result = admitTen(pool, "serial");

    assertThat(result.get(0)).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(result.subList(1, 10)).containsOnly(WorkerPool.Admission.HELD);
    assertThat(nextStart()).isEqualTo("m0");
    assertThat(pool.running()).isEqualTo(1);
    assertThat(pool.held()).isEqualTo(9);
    for (int i = 1; i < 10; i++) {
      end("m" + (i - 1));
      assertThat(nextStart()).isEqualTo("m" + i);
      assertThat(pool.running()).as("never two duplicates at once").isEqualTo(1);
      assertThat(pool.held()).isEqualTo(9 - i);
    }
    end("m9");
    TestPools.awaitQuiet(pool);
    assertThat(ended).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
  }

  @Test
  void queueOneRunsOneHoldsOneAndDropsEight() throws Exception {
    WorkerPool pool = pool(8);
    List<WorkerPool.Admission> result = admitTen(pool, "queue_one");

    assertThat(result.get(0)).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(result.get(1)).isEqualTo(WorkerPool.Admission.HELD);
    assertThat(result.subList(2, 10)).containsOnly(WorkerPool.Admission.DROPPED_DUPLICATE);
    end("m0");
    end("m1");
    TestPools.awaitQuiet(pool);
    assertThat(ended).containsExactly("m0", "m1");
  }

  @Test
  void discardRunsOneAndDropsNine() throws Exception {
    WorkerPool pool = pool(8);
    List<WorkerPool.Admission> result = admitTen(pool, "discard");

    assertThat(result.get(0)).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(result.subList(1, 10)).containsOnly(WorkerPool.Admission.DROPPED_DUPLICATE);
    end("m0");
    TestPools.awaitQuiet(pool);
    assertThat(ended).containsExactly("m0");
    // once nothing is running, the same submission is welcome again
    assertThat(pool.admit(dup("again", "discard", 7))).isEqualTo(WorkerPool.Admission.STARTED);
  }

  @Test
  void theTasksOwnPolicyAppliesWhenTheMessageNamesNoneAndTheMessageWinsWhenItDoes() throws Exception {
    WorkerPool pool = pool(8);
    ObjectNode silent = JsonNodeFactory.instance.objectNode().put("task", "dup.serialByDefault").put("uuid", "first");
    ObjectNode silentToo = JsonNodeFactory.instance.objectNode().put("task", "dup.serialByDefault").put("uuid", "second");
    ObjectNode explicit = JsonNodeFactory.instance.objectNode().put("task", "dup.serialByDefault").put("uuid", "third")
        .put("on_duplicate", "parallel");

    assertThat(pool.admit(new Work(TestMessages.of(silent, "ch", "x"), serialByDefault, new Object[0]))).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(pool.admit(new Work(TestMessages.of(silentToo, "ch", "x"), serialByDefault, new Object[0]))).isEqualTo(WorkerPool.Admission.HELD);
    assertThat(pool.admit(new Work(TestMessages.of(explicit, "ch", "x"), serialByDefault, new Object[0]))).isEqualTo(WorkerPool.Admission.STARTED);
  }

  @Test
  void onlyEqualArgumentsMakeDuplicates() throws Exception {
    WorkerPool pool = pool(8);
    assertThat(pool.admit(dup("a", "discard", 1))).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(pool.admit(dup("b", "discard", 2))).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(pool.admit(dup("c", "serial", 2))).isEqualTo(WorkerPool.Admission.HELD);
  }

  @Test
  void aSerialDuplicateWaitsForAParallelOneToo() throws Exception {
    WorkerPool pool = pool(8);
    assertThat(pool.admit(dup("p", "parallel", 5))).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(pool.admit(dup("s", "serial", 5))).isEqualTo(WorkerPool.Admission.HELD);
    assertThat(nextStart()).isEqualTo("p");
    end("p");
    assertThat(nextStart()).isEqualTo("s");
    assertThat(admissions).contains("s:QUEUED"); // the release is reported
  }

  @Test
  void maxConcurrencyKeepsAtMostTwoOfATaskRunningWhileOthersMayStart() throws Exception {
    WorkerPool pool = pool(8);
    for (int i = 0; i < 6; i++) {
      pool.admit(limitedWork("l" + i));
    }
    assertThat(pool.admit(dup("other", "parallel", 1))).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(List.of(nextStart(), nextStart(), nextStart())).containsExactlyInAnyOrder("l0", "l1", "other");
    assertThat(pool.running()).isEqualTo(3);
    assertThat(pool.queued()).isEqualTo(4);

    end("other");
    AtomicInteger maxLimited = new AtomicInteger(2);
    for (int i = 2; i < 6; i++) {
      end("l" + (i - 2));
      String next = nextStart();
      long limitedRunning = pool.snapshot().stream()
          .filter(located -> located.place() == WorkerPool.Place.RUNNING && located.work().message().task().equals("dup.limited"))
          .count();
      maxLimited.accumulateAndGet((int) limitedRunning, Math::max);
      assertThat(next).isEqualTo("l" + i); // the limited ones start in arrival order
    }
    assertThat(maxLimited.get()).isEqualTo(2);
  }

  @Test
  void cancelRemovesQueuedHeldAndDelayedWorkAndInterruptsRunningWork() throws Exception {
    WorkerPool pool = pool(1);
    pool.admit(dup("running", "parallel", 1));
    pool.admit(dup("queued", "parallel", 2));
    pool.admit(dup("held", "serial", 2)); // duplicate of the queued one
    pool.admitAfter(dup("delayed", "parallel", 3), TimeUnit.SECONDS.toNanos(30));
    assertThat(nextStart()).isEqualTo("running");
    assertThat(pool.snapshot()).extracting(located -> located.work().message().uuid() + ":" + located.place())
        .containsExactly("running:RUNNING", "queued:QUEUED", "held:HELD", "delayed:DELAYED");

    assertThat(pool.cancel("delayed", null)).extracting(WorkerPool.Located::place).containsExactly(WorkerPool.Place.DELAYED);
    assertThat(pool.cancel("held", null)).extracting(WorkerPool.Located::place).containsExactly(WorkerPool.Place.HELD);
    assertThat(pool.cancel("queued", null)).extracting(WorkerPool.Located::place).containsExactly(WorkerPool.Place.QUEUED);
    assertThat(pool.cancel(null, "dup.work")).extracting(WorkerPool.Located::place).containsExactly(WorkerPool.Place.RUNNING);

    TestPools.awaitQuiet(pool);
    assertThat(ended).containsExactly("running:interrupted");
    assertThat(pool.snapshot()).isEmpty();
    assertThat(pool.cancel(null, null)).isEmpty();
  }

  @Test
  void aDelayedSubmissionIsAdmittedWhenDueAndReported() throws Exception {
    WorkerPool pool = pool(2);
    long before = System.nanoTime();
    assertThat(pool.admitAfter(dup("later", "parallel", 1), TimeUnit.MILLISECONDS.toNanos(200))).isEqualTo(WorkerPool.Admission.DELAYED);
    assertThat(pool.delayed()).isEqualTo(1);
    assertThat(nextStart()).isEqualTo("later");
    assertThat(System.nanoTime() - before).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    assertThat(reported.poll(10, TimeUnit.SECONDS)).isEqualTo("later:STARTED");
    assertThat(pool.delayed()).isZero();
    assertThat(admissions).containsExactly("later:STARTED");
  }

  @Test
  void idleIsReportedWhenTheLastWorkEndsAndBusyWhenWorkArrives() throws Exception {
    List<Boolean> changes = new CopyOnWriteArrayList<>();
    CountDownLatch idleAgain = new CountDownLatch(1);
    WorkerPool pool = new WorkerPool(2, run -> { }, timer, new WorkerPool.Events() {
      @Override
      public void admitted(Work w, WorkerPool.Admission admission) {}

      @Override
      public void idleChanged(boolean idle) {
        changes.add(idle);
        if (idle) {
          idleAgain.countDown();
        }
      }
    }, TestPools.UNBOUNDED);
    pools.add(pool);
    pool.admit(dup("one", "parallel", 1));
    assertThat(idleAgain.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(changes).containsExactly(false, true);
  }

  @Test
  void shutdownReturnsQueuedHeldAndDelayedWork() throws Exception {
    WorkerPool pool = pool(1);
    pool.admit(dup("running", "parallel", 1));
    pool.admit(dup("queued", "parallel", 2));
    pool.admit(dup("held", "serial", 2));
    pool.admitAfter(dup("delayed", "parallel", 3), TimeUnit.SECONDS.toNanos(30));
    assertThat(nextStart()).isEqualTo("running");

    List<Work> abandoned = pool.shutdown(Duration.ofMillis(100)); // "running" never ends by itself: interrupted

    assertThat(abandoned).extracting(w -> w.message().uuid()).containsExactlyInAnyOrder("queued", "held", "delayed");
    assertThat(ended).containsExactly("running:interrupted");
    assertThat(pool.admit(dup("late", "parallel", 9))).isEqualTo(WorkerPool.Admission.CLOSED);
  }

  @Test
  void queuedAndHeldWorkIsRefusedPastItsCountWhileRunningWorkIsNotCounted() throws Exception {
    WorkerPool pool = pool(1, new WorkerPool.Bounds(2, 10, Long.MAX_VALUE, Long.MAX_VALUE));
    assertThat(pool.admit(dup("running", "parallel", 1))).isEqualTo(WorkerPool.Admission.STARTED);
    assertThat(pool.admit(dup("q1", "parallel", 2))).isEqualTo(WorkerPool.Admission.QUEUED);
    assertThat(pool.admit(dup("h1", "serial", 2))).isEqualTo(WorkerPool.Admission.HELD);
    assertThat(pool.admit(dup("q2", "parallel", 3))).isEqualTo(WorkerPool.Admission.QUEUE_FULL);
    assertThat(pool.admit(dup("h2", "serial", 1))).isEqualTo(WorkerPool.Admission.QUEUE_FULL);
    assertThat(pool.queued() + pool.held()).isEqualTo(2);
    assertThat(nextStart()).isEqualTo("running");

    end("running"); // q1 starts: room for one more
    assertThat(nextStart()).isEqualTo("q1");
    assertThat(pool.admit(dup("q3", "parallel", 4))).isEqualTo(WorkerPool.Admission.QUEUED);
    // the refused ones left nothing behind: q3 runs, then h1, released behind it when q1 ended
    end("q1");
    assertThat(nextStart()).isEqualTo("q3");
    end("q3");
    assertThat(nextStart()).isEqualTo("h1");
    end("h1");
    TestPools.awaitQuiet(pool);
    assertThat(pool.waitingBytes()).isZero();
  }

  @Test
  void waitingWorkIsRefusedPastItsMemoryAndTheAccountReturnsToZero() throws Exception {
    long one = dup("qx", "parallel", 1).message().memoryBytes(); // the same size as q1..q3
    WorkerPool pool = pool(1, new WorkerPool.Bounds(1_000, 1_000, one * 3 + one / 2, one / 2));
    pool.admit(dup("running", "parallel", 0));
    assertThat(nextStart()).isEqualTo("running");
    for (int i = 1; i <= 3; i++) {
      assertThat(pool.admit(dup("q" + i, "parallel", i))).isEqualTo(WorkerPool.Admission.QUEUED);
    }
    assertThat(pool.admitAfter(dup("d1", "parallel", 9), TimeUnit.SECONDS.toNanos(30))).isEqualTo(WorkerPool.Admission.DELAYED_FULL);
    assertThat(pool.admit(dup("q4", "parallel", 4))).isEqualTo(WorkerPool.Admission.QUEUE_FULL);
    assertThat(pool.waitingBytes()).isEqualTo(3 * one);

    pool.cancel("q2", null);
    assertThat(pool.waitingBytes()).isEqualTo(2 * one);
    for (String uuid : List.of("running", "q1", "q3")) {
      end(uuid);
    }
    TestPools.awaitQuiet(pool);
    assertThat(pool.waitingBytes()).isZero();
  }

  @Test
  void delayedWorkIsRefusedPastItsCount() {
    WorkerPool pool = pool(1, new WorkerPool.Bounds(10, 2, Long.MAX_VALUE, Long.MAX_VALUE));
    long later = TimeUnit.SECONDS.toNanos(30);
    assertThat(pool.admitAfter(dup("d1", "parallel", 1), later)).isEqualTo(WorkerPool.Admission.DELAYED);
    assertThat(pool.admitAfter(dup("d2", "parallel", 2), later)).isEqualTo(WorkerPool.Admission.DELAYED);
    assertThat(pool.admitAfter(dup("d3", "parallel", 3), later)).isEqualTo(WorkerPool.Admission.DELAYED_FULL);
    assertThat(pool.delayed()).isEqualTo(2);
    pool.cancel("d1", null);
    assertThat(pool.admitAfter(dup("d4", "parallel", 4), later)).isEqualTo(WorkerPool.Admission.DELAYED);
  }
}
