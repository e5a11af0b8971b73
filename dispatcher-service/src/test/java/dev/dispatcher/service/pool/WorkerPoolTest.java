package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

  static final class PoolTasks {
    @Task(name = "pool.noop")
    static void noop() {}
  }

  private static RegisteredTask noop;
  private final List<WorkerPool> pools = new ArrayList<>();

  @BeforeAll
  static void registry() throws Exception {
    noop = TaskRegistry.of(List.of(PoolTasks.class.getDeclaredMethod("noop")), WireFormat.newObjectMapper())
        .find("pool.noop");
  }

  @AfterEach
  void closePools() {
    pools.forEach(pool -> pool.shutdown(Duration.ofSeconds(5)));
  }

  private WorkerPool pool(int maxWorkers, Consumer<Work> runner) {
    WorkerPool pool = TestPools.unbounded(maxWorkers, runner);
    pools.add(pool);
    return pool;
  }

  private static Work work(String uuid) {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", "pool.noop").put("uuid", uuid);
    return new Work(TestMessages.of(message, "ch", "x"), noop, new Object[0]);
  }

  private static String next(BlockingQueue<String> events) throws InterruptedException {
    String event = events.poll(10, TimeUnit.SECONDS);
    assertThat(event).as("an event within 10s").isNotNull();
    return event;
  }

  @Test
  void atMostMaxWorkersRunAndTheRestStartInFifoOrder() throws Exception {
    Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    BlockingQueue<String> started = new LinkedBlockingQueue<>();
    AtomicInteger current = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    WorkerPool pool = pool(2, work -> {
      peak.accumulateAndGet(current.incrementAndGet(), Math::max);
      String uuid = work.message().uuid();
      started.add(uuid);
      try {
        gates.get(uuid).await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        current.decrementAndGet();
        finished.incrementAndGet();
      }
    });
    for (int i = 1; i <= 6; i++) {
      gates.put("w" + i, new CountDownLatch(1));
    }

    for (int i = 1; i <= 6; i++) {
      assertThat(pool.admit(work("w" + i))).isEqualTo(i <= 2 ? WorkerPool.Admission.STARTED : WorkerPool.Admission.QUEUED);
    }

    assertThat(List.of(next(started), next(started))).containsExactlyInAnyOrder("w1", "w2");
    assertThat(pool.running()).isEqualTo(2);
    assertThat(pool.queued()).isEqualTo(4);

    // whichever slot frees up, the head of the queue starts next
    gates.get("w2").countDown();
    assertThat(next(started)).isEqualTo("w3");
    gates.get("w1").countDown();
    assertThat(next(started)).isEqualTo("w4");
    assertThat(pool.queued()).isEqualTo(2);
    gates.get("w4").countDown();
    assertThat(next(started)).isEqualTo("w5");
    gates.get("w3").countDown();
    assertThat(next(started)).isEqualTo("w6");
    gates.get("w5").countDown();
    gates.get("w6").countDown();

    TestPools.awaitQuiet(pool);
    assertThat(finished.get()).isEqualTo(6);
    assertThat(peak.get()).isEqualTo(2);
    assertThat(pool.running()).isZero();
    assertThat(pool.queued()).isZero();
    assertThat(started).isEmpty();
  }

  @Test
  void manySubmittersNeverExceedTheLimit() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch twoRunning = new CountDownLatch(2);
    AtomicInteger current = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    WorkerPool pool = pool(2, work -> {
      peak.accumulateAndGet(current.incrementAndGet(), Math::max);
      twoRunning.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        ran.add(work.message().uuid());
        current.decrementAndGet();
      }
    });

    List<CompletableFuture<Void>> submitters = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      int source = s;
      submitters.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 25; i++) {
          assertThat(pool.admit(work("s" + source + "-" + i))).isNotEqualTo(WorkerPool.Admission.CLOSED);
        }
      }));
    }
    CompletableFuture.allOf(submitters.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(twoRunning.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.running()).isEqualTo(2);
    assertThat(pool.queued()).isEqualTo(98);

    release.countDown();

    TestPools.awaitQuiet(pool);
    assertThat(ran).hasSize(100).doesNotHaveDuplicates();
    assertThat(peak.get()).isEqualTo(2);
  }

  @Test
  void shutdownReturnsQueuedWorkAndInterruptsARunnerPastTheGracePeriod() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicInteger runs = new AtomicInteger();
    WorkerPool pool = pool(1, work -> {
      runs.incrementAndGet();
      started.countDown();
      try {
        never.await();
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
    });
    Work first = work("first");
    Work second = work("second");
    Work third = work("third");
    pool.admit(first);
    pool.admit(second);
    pool.admit(third);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    List<Work> abandoned = pool.shutdown(Duration.ofMillis(50));

    assertThat(abandoned).containsExactly(second, third);
    assertThat(interrupted).isTrue();
    assertThat(pool.running()).isZero();
    assertThat(pool.queued()).isZero();
    assertThat(runs.get()).isEqualTo(1);
    assertThat(pool.admit(work("late"))).isEqualTo(WorkerPool.Admission.CLOSED);
    assertThat(pool.queued()).isZero();
  }

  @Test
  void shutdownWaitsForARunnerThatFinishesWithinTheGracePeriod() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean finished = new AtomicBoolean();
    WorkerPool pool = pool(1, work -> {
      started.countDown();
      try {
        release.await();
        finished.set(true);
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
    });
    pool.admit(work("running"));
    Work queued = work("queued");
    pool.admit(queued);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<List<Work>> shutdown = new CompletableFuture<>();
    Thread stopper = new Thread(() -> shutdown.complete(pool.shutdown(Duration.ofSeconds(60))), "stopper");
    stopper.start();
    // the stopper parks in its timed wait for the running task
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stopper.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(stopper.getState()).isEqualTo(Thread.State.TIMED_WAITING);
    assertThat(shutdown).isNotDone();
    assertThat(pool.admit(work("late"))).isEqualTo(WorkerPool.Admission.CLOSED);

    release.countDown();

    assertThat(shutdown.get(10, TimeUnit.SECONDS)).containsExactly(queued);
    assertThat(finished).isTrue();
    assertThat(interrupted).isFalse();
    assertThat(pool.running()).isZero();
  }

  @Test
  void aFailingRunnerDoesNotLoseItsSlot() throws Exception {
    BlockingQueue<String> ran = new LinkedBlockingQueue<>();
    WorkerPool pool = pool(1, work -> {
      ran.add(work.message().uuid());
      if (work.message().uuid().startsWith("bad")) {
        throw new IllegalStateException("task blew up");
      }
    });
    pool.admit(work("bad-1"));
    pool.admit(work("good-1"));
    pool.admit(work("bad-2"));
    pool.admit(work("good-2"));

    TestPools.awaitQuiet(pool);
    assertThat(new ArrayList<>(ran)).containsExactly("bad-1", "good-1", "bad-2", "good-2");
    assertThat(pool.running()).isZero();
  }

  @Test
  void interruptOfOneTaskDoesNotLeakIntoTheNext() throws Exception {
    BlockingQueue<Boolean> interruptedAtStart = new LinkedBlockingQueue<>();
    CountDownLatch allQueued = new CountDownLatch(1);
    WorkerPool pool = pool(1, work -> {
      interruptedAtStart.add(Thread.currentThread().isInterrupted());
      if (work.message().uuid().equals("self-interrupting")) {
        try {
          allQueued.await(); // the next works queue behind this one and run on the same slot
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        Thread.currentThread().interrupt();
      }
    });
    pool.admit(work("self-interrupting"));
    pool.admit(work("next"));
    pool.admit(work("after"));
    assertThat(pool.queued()).isEqualTo(2);
    allQueued.countDown();

    TestPools.awaitQuiet(pool);
    assertThat(new ArrayList<>(interruptedAtStart)).containsExactly(false, false, false);
  }

  @Test
  void maxWorkersMustBePositive() {
    assertThatThrownBy(() -> TestPools.unbounded(0, work -> {})).isInstanceOf(IllegalArgumentException.class);
    assertThat(pool(3, work -> {}).maxWorkers()).isEqualTo(3);
  }
}
