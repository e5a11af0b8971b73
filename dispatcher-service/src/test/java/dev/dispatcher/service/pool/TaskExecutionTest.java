package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Task;
import dev.dispatcher.service.hooks.Hooks;
import dev.dispatcher.service.message.TestMessages;
import dev.dispatcher.service.metrics.DispatcherMetrics;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.WireFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner: one outcome per run, handed to the completer with the run it belongs to. */
class TaskExecutionTest {

  static final class Tasks {
    @Task(name = "run.answer")
    static int answer() {
      return 42;
    }

    @Task(name = "run.fail")
    static void fail() {
      throw new IllegalStateException("no");
    }

    @Task(name = "run.sleep")
    static void sleep() throws InterruptedException {
      new CountDownLatch(1).await(); // never released: only its timeout's interrupt ends it
    }
  }

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<String> completed = new CopyOnWriteArrayList<>();
  private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private void run(String task, double timeout) throws Exception {
    TaskRegistry registry = TaskRegistry.of(List.of(Tasks.class.getDeclaredMethod("answer"), Tasks.class.getDeclaredMethod("fail"),
        Tasks.class.getDeclaredMethod("sleep")), WireFormat.newObjectMapper());
    TaskExecution execution = new TaskExecution("n1", new Hooks(List.of()), new DispatcherMetrics(), timer, WireFormat.newObjectMapper(),
        null, (work, run, outcome, duration) -> {
          completed.add(run.uuid() + " " + work.message().task());
          outcomes.add(outcome);
        });
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", task).put("uuid", "u-" + task);
    if (timeout > 0) {
      message.put("timeout", timeout);
    }
    Work work = new Work(TestMessages.of(message, "ch", null), registry.find(task), new Object[0]);
    work.state().started(Thread.currentThread()); // as the pool's slot thread does: the timeout interrupts this thread
    execution.run(work);
  }

  @Test
  void eachRunEndsInOneOutcomeForTheCompleter() throws Exception {
    run("run.answer", 0);
    run("run.fail", 0);
    run("run.sleep", 0.05);

    assertThat(completed).containsExactly("u-run.answer run.answer", "u-run.fail run.fail", "u-run.sleep run.sleep");
    assertThat(outcomes.get(0)).isEqualTo(new Outcome.Succeeded(42));
    assertThat(outcomes.get(1)).isInstanceOf(Outcome.Failed.class);
    assertThat(outcomes.get(1).error()).isInstanceOf(IllegalStateException.class).hasMessage("no");
    assertThat(outcomes.get(2)).isInstanceOf(Outcome.TimedOut.class);
    assertThat(outcomes.get(2).error()).isInstanceOf(InterruptedException.class);
    assertThat(outcomes).extracting(Outcome::status).extracting(Enum::name).containsExactly("SUCCEEDED", "FAILED", "TIMED_OUT");
  }
}
