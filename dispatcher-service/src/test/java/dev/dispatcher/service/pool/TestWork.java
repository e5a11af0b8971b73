package dev.dispatcher.service.pool;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Task;
import dev.dispatcher.service.message.TestMessages;
import dev.dispatcher.service.registry.TaskRegistry;
import dev.dispatcher.wire.WireFormat;
import java.util.List;

/** Work for the unit tests of the pool's parts: a plain task, and two with concurrency limits. */
final class TestWork {

  static final class Tasks {
    @Task(name = "unit.work")
    static void work(long n) {}

    @Task(name = "unit.limited", maxConcurrency = 2)
    static void limited() {}

    @Task(name = "unit.single", maxConcurrency = 1)
    static void single() {}
  }

  private static final TaskRegistry REGISTRY = registry();

  private TestWork() {}

  private static TaskRegistry registry() {
    try {
      return TaskRegistry.of(List.of(Tasks.class.getDeclaredMethod("work", long.class), Tasks.class.getDeclaredMethod("limited"),
          Tasks.class.getDeclaredMethod("single")), WireFormat.newObjectMapper());
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  /** unit.work with one argument, under an on_duplicate policy (its wire name). */
  static Work of(String uuid, String onDuplicate, long arg) {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", "unit.work").put("uuid", uuid).put("on_duplicate", onDuplicate);
    message.putArray("args").add(arg);
    return new Work(TestMessages.of(message, "ch", "x"), REGISTRY.find("unit.work"), new Object[] {arg});
  }

  /** unit.work, parallel. */
  static Work parallel(String uuid, long arg) {
    return of(uuid, "parallel", arg);
  }

  /** A task without arguments: unit.limited (at most 2 at once) or unit.single (1). */
  static Work task(String uuid, String task) {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("task", task).put("uuid", uuid);
    return new Work(TestMessages.of(message, "ch", "x"), REGISTRY.find(task), new Object[0]);
  }
}
