package dev.dispatcher.service.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Task;
import dev.dispatcher.service.health.FatalFailure;
import dev.dispatcher.service.message.MessageLimits;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.metrics.DropReason;
import dev.dispatcher.service.pool.TestPools;
import dev.dispatcher.service.pool.WorkerPool;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatch loop with a real decoder, registry and pool: bounds, per-message failures, fatal ones. */
class DispatchLoopTest {

  static final class Tasks {
    @Task(name = "loop.work")
    static void work(String id) {}
  }

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final DispatcherMetrics metrics = new DispatcherMetrics();
  private final FatalFailure failure = new FatalFailure();
  private final Set<String> ran = ConcurrentHashMap.newKeySet();
  private WorkerPool pool;
  private DispatchLoop loop;

  private Backlog backlog;

  private DispatchLoop loop(Backlog.Bounds bounds, BiConsumer<ObjectNode, String> controls) throws Exception {
    return loop(bounds, controls, TestPools.unbounded(2, work -> ran.add(work.message().uuid())));
  }

  private DispatchLoop loop(Backlog.Bounds bounds, BiConsumer<ObjectNode, String> controls, WorkerPool workers) throws Exception {
    TaskRegistry registry = TaskRegistry.of(List.of(Tasks.class.getDeclaredMethod("work", String.class)), mapper);
    pool = workers;
    MessageDecoder decoder = new MessageDecoder(mapper, new ChunkAssembler(TimeUnit.SECONDS.toNanos(30), 1 << 20),
        new TaskMessageReader(mapper, MessageLimits.of(Duration.ofHours(1), Duration.ofHours(1))), metrics);
    backlog = new Backlog(bounds, metrics);
    loop = new DispatchLoop(backlog, decoder, registry, pool, new AdmissionLog(metrics), metrics, controls, failure);
    return loop;
  }

  private static String task(String uuid) {
    return "{\"task\":\"loop.work\",\"uuid\":\"" + uuid + "\",\"args\":[\"" + uuid + "\"]}";
  }

  @AfterEach
  void stop() throws Exception {
    if (loop != null) {
      loop.stop();
    }
    if (pool != null) {
      pool.shutdown(Duration.ofSeconds(5));
    }
  }

  @Test
  void messagesPastTheBacklogCountAreRefusedAndCountedWhileAcceptedOnesRun() throws Exception {
    DispatchLoop loop = loop(new Backlog.Bounds(3, Long.MAX_VALUE), (message, channel) -> { });
    for (int i = 0; i < 5; i++) {
      backlog.notified("tasks", task("t" + i)); // the loop is not started yet: the backlog fills
    }
    assertThat(backlog.size()).isEqualTo(3);
    assertThat(metrics.counts().dropped(DropReason.BACKLOG_FULL)).isEqualTo(2);

    loop.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 3);
    assertThat(ran).containsExactlyInAnyOrder("t0", "t1", "t2");
    assertThat(backlog.size()).isZero();
    assertThat(backlog.bytes()).isZero();
  }

  @Test
  void messagesPastTheBacklogMemoryAreRefused() throws Exception { // the loop is not started: the backlog fills
    String small = task("s");
    DispatchLoop loop = loop(new Backlog.Bounds(1_000, 2 * (Backlog.NOTIFICATION_OVERHEAD_BYTES + 2L * small.length()) + 10),
        (message, channel) -> { });
    backlog.notified("tasks", task("s"));
    backlog.notified("tasks", task("t"));
    backlog.notified("tasks", "{\"task\":\"loop.work\",\"uuid\":\"big\",\"args\":[\"" + "x".repeat(1_000) + "\"]}");
    assertThat(backlog.size()).isEqualTo(2);
    assertThat(metrics.counts().dropped(DropReason.BACKLOG_FULL)).isEqualTo(1);
  }

  @Test
  void aControlMessageSeesEveryTaskThatArrivedBeforeItInTheSameBurst() throws Exception {
    List<List<String>> seenByControl = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    DispatchLoop loop = loop(new Backlog.Bounds(100, Long.MAX_VALUE),
        (message, channel) -> seenByControl.add(pool.snapshot().stream().map(located -> located.work().message().uuid()).toList()),
        TestPools.unbounded(1, work -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
    for (int i = 0; i < 5; i++) {
      backlog.notified("tasks", task("b" + i)); // not started yet: all of it is taken as one burst
    }
    backlog.notified("tasks", "{\"control\":\"running\"}");
    loop.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> !seenByControl.isEmpty());
    release.countDown();
    assertThat(seenByControl.get(0)).containsExactly("b0", "b1", "b2", "b3", "b4");
  }

  @Test
  void aFailureWhileHandlingOneMessageDropsItAndTheLoopGoesOn() throws Exception {
    DispatchLoop loop = loop(new Backlog.Bounds(100, Long.MAX_VALUE), (message, channel) -> {
      throw new StackOverflowError("deep"); // what a recursion over a hostile tree would throw
    });
    loop.start();
    backlog.notified("tasks", "{\"control\":\"alive\"}");
    backlog.notified("tasks", task("after"));
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("after"));
    assertThat(metrics.counts().dropped(DropReason.INTERNAL_ERROR)).isEqualTo(1);
    assertThat(loop.isAlive()).isTrue();
    assertThat(failure.failure()).isEmpty();
  }

  @Test
  void anErrorThatMeansTheJvmIsBrokenEndsTheLoopAndIsReportedFatal() throws Exception {
    DispatchLoop loop = loop(new Backlog.Bounds(100, Long.MAX_VALUE), (message, channel) -> {
      throw new InternalError("broken");
    });
    loop.start();
    backlog.notified("tasks", "{\"control\":\"alive\"}");

    assertThat(failure.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(failure.failure()).get().satisfies(f -> {
      assertThat(f.part()).startsWith("dispatch loop");
      assertThat(f.cause()).isInstanceOf(InternalError.class);
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> !loop.isAlive());
  }

  @Test
  void aStoppedLoopIsNotAFailure() throws Exception {
    DispatchLoop loop = loop(new Backlog.Bounds(100, Long.MAX_VALUE), (message, channel) -> { });
    loop.start();
    loop.stop();
    assertThat(loop.isAlive()).isFalse();
    assertThat(failure.failure()).isEmpty();
  }
}
