package dev.dispatcher.service.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;
import dev.dispatcher.TaskDefinition;
import dev.dispatcher.wire.WireFormat;
import java.lang.reflect.Method;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TaskRegistryTest {

  public record Address(String street, int number) {}

  public enum Color { RED, GREEN }

  static final class Tasks {
    @Task(name = "t.scalars")
    static void scalars(long id, double ratio, boolean flag, String label) {}

    @Task(name = "t.complex")
    static void complex(Address home, List<Address> others, Map<String, Integer> counts, LocalDate day,
        Instant at, Color color) {}

    @Task(name = "t.int")
    static void count(int count) {}

    @Task(name = "t.boxed")
    static void boxed(Integer maybe, String text) {}

    @Task(name = "t.none")
    static void none() {}

    @Task(name = "t.bound", bind = true)
    static void bound(TaskContext context, String name, int n) {}

    @Task
    static void defaultName(String x) {}
  }

  public static final class Greeter {
    static int instances;
    final int serial;

    public Greeter() {
      serial = ++instances;
    }

    @Task(name = "t.greet")
    public String greet(String who) {
      return "hello " + who + " from " + serial;
    }

    @Task(name = "t.wave")
    public String wave() {
      return "wave from " + serial;
    }
  }

  static final class NoDefaultConstructor {
    NoDefaultConstructor(int x) {}

    @Task(name = "t.needs-instance")
    void run() {}
  }

  static final class FirstOwner {
    @Task(name = "t.same")
    static void a() {}
  }

  static final class SecondOwner {
    @Task(name = "t.same")
    static void b(String x) {}
  }

  private static final ObjectMapper MAPPER = WireFormat.newObjectMapper();
  private static TaskRegistry registry;

  private static List<Method> methods(Class<?> type) {
    return Arrays.stream(type.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Task.class)).toList();
  }

  @BeforeAll
  static void register() {
    List<Method> all = new ArrayList<>(methods(Tasks.class));
    all.addAll(methods(Greeter.class));
    registry = TaskRegistry.of(all, MAPPER);
  }

  private static ArrayNode args(String json) throws Exception {
    return (ArrayNode) MAPPER.readTree(json);
  }

  private static ObjectNode kwargs(String json) throws Exception {
    return (ObjectNode) MAPPER.readTree(json);
  }

  private static Object[] bind(String task, String args, String kwargs) throws Exception {
    RegisteredTask registered = registry.find(task);
    assertThat(registered).as("task %s", task).isNotNull();
    return registered.bind(args(args), kwargs(kwargs));
  }

  private static BindException bindFails(String task, String args, String kwargs) {
    BindException e = catchThrowableOfType(BindException.class, () -> bind(task, args, kwargs));
    assertThat(e).as("%s(%s, %s) fails to bind", task, args, kwargs).isNotNull();
    assertThat(e.getMessage()).contains(task);
    return e;
  }

  @Test
  void aHugeOrHostileArgumentIsCutAndEscapedInTheBindError() {
    String huge = "x".repeat(7_000) + "\n2026-12-01 ERROR forged";
    BindException e = bindFails("t.boxed", "[\"" + huge.replace("\n", "\\n") + "\", 1]", "{}");
    assertThat(e.getMessage().length()).isLessThan(600);
    assertThat(e.getMessage()).doesNotContain("\n").contains("more chars)");
  }

  @Test
  void registryFindsTasksByName() {
    assertThat(registry.size()).isEqualTo(9);
    assertThat(registry.find("t.scalars").name()).isEqualTo("t.scalars");
    assertThat(registry.find("dev.dispatcher.service.registry.TaskRegistryTest$Tasks.defaultName")).isNotNull();
    assertThat(registry.find("defaultName")).isNull();
    assertThat(registry.find("t.missing")).isNull();
    assertThat(registry.all()).extracting(RegisteredTask::name).contains("t.greet", "t.bound");
  }

  @Test
  void scalarsBindPositionallyAndByName() throws Exception {
    assertThat(bind("t.scalars", "[5, 0.5, true, \"x\"]", "{}")).containsExactly(5L, 0.5, true, "x");
    assertThat(bind("t.scalars", "[]", "{\"label\":\"y\",\"flag\":false,\"ratio\":2,\"id\":9007199254740993}"))
        .containsExactly(9_007_199_254_740_993L, 2.0, false, "y");
    assertThat(bind("t.scalars", "[1, 1.25]", "{\"label\":\"z\",\"flag\":true}")).containsExactly(1L, 1.25, true, "z");
  }

  @Test
  void structuredTypesBind() throws Exception {
    Object[] bound = bind("t.complex", """
        [{"street": "Main", "number": 7}, [{"street": "A", "number": 1}, {"street": "B", "number": 2}]]""", """
        {"counts": {"a": 1, "b": 2}, "day": "2024-02-29", "at": "2024-01-02T03:04:05.5Z", "color": "GREEN"}""");

    assertThat(bound).containsExactly(
        new Address("Main", 7),
        List.of(new Address("A", 1), new Address("B", 2)),
        Map.of("a", 1, "b", 2),
        LocalDate.of(2024, 2, 29),
        Instant.parse("2024-01-02T03:04:05.5Z"),
        Color.GREEN);
    assertThat(((List<?>) bound[1]).get(0)).isInstanceOf(Address.class);
  }

  @Test
  void nullIsAllowedForReferenceTypes() throws Exception {
    assertThat(bind("t.boxed", "[null, null]", "{}")).containsExactly(null, null);
  }

  @Test
  void noArgumentsForNoParameters() throws Exception {
    assertThat(bind("t.none", "[]", "{}")).isEmpty();
  }

  @Test
  void wrongTypesAreRejectedNamingTheParameter() {
    Object[][] cases = {
        {"t.scalars", "[\"x\", 0.5, true, \"l\"]", "'id'"},
        {"t.scalars", "[1.5, 0.5, true, \"l\"]", "'id'"},
        {"t.scalars", "[null, 0.5, true, \"l\"]", "'id'"},
        {"t.scalars", "[1, \"0.5\", true, \"l\"]", "'ratio'"},
        {"t.scalars", "[1, 0.5, \"true\", \"l\"]", "'flag'"},
        {"t.scalars", "[1, 0.5, 1, \"l\"]", "'flag'"},
        {"t.scalars", "[1, 0.5, null, \"l\"]", "'flag'"},
        {"t.scalars", "[1, 0.5, true, [\"l\"]]", "'label'"},
        {"t.int", "[\"1\"]", "'count'"},
        {"t.int", "[1.5]", "'count'"},
        {"t.int", "[1.0]", "'count'"},
        {"t.int", "[null]", "'count'"},
        {"t.int", "[3000000000]", "'count'"},
        {"t.int", "[{}]", "'count'"},
    };
    for (Object[] c : cases) {
      BindException e = bindFails((String) c[0], (String) c[1], "{}");
      assertThat(e.getMessage()).as("%s %s", c[0], c[1]).contains((String) c[2]);
    }
  }

  @Test
  void wrongStructuredValuesAreRejectedNamingTheParameter() {
    String valid = "[{\"street\":\"M\",\"number\":1}, [], {}, \"2024-01-01\", \"2024-01-01T00:00:00Z\", \"RED\"]";
    assertThat(catchThrowableOfType(BindException.class, () -> bind("t.complex", valid, "{}"))).isNull();
    Object[][] cases = {
        {"{\"street\":\"M\",\"number\":\"1\"}", 0, "'home'"},
        {"{\"street\":\"M\",\"number\":1,\"zip\":\"x\"}", 0, "'home'"},
        {"[{\"street\":\"M\",\"number\":1.5}]", 1, "'others'"},
        {"{\"a\":\"1\"}", 2, "'counts'"},
        {"\"2024-02-30\"", 3, "'day'"},
        {"\"tomorrow\"", 4, "'at'"},
        {"\"BLUE\"", 5, "'color'"},
        {"0", 5, "'color'"},
    };
    for (Object[] c : cases) {
      List<String> values = new ArrayList<>(List.of(
          "{\"street\":\"M\",\"number\":1}", "[]", "{}", "\"2024-01-01\"", "\"2024-01-01T00:00:00Z\"", "\"RED\""));
      values.set((Integer) c[1], (String) c[0]);
      BindException e = bindFails("t.complex", "[" + String.join(",", values) + "]", "{}");
      assertThat(e.getMessage()).as("%s", c[0]).contains((String) c[2]);
    }
  }

  /**
   * BUG (strictness): the wire mapper disables scalar coercion, yet a JSON number or boolean
   * still binds to a String parameter as its text.
   */
  @Test
  void numbersAndBooleansDoNotBecomeStrings() {
    assertThat(bindFails("t.scalars", "[1, 0.5, true, 42]", "{}").getMessage()).contains("'label'");
    assertThat(bindFails("t.scalars", "[1, 0.5, true, false]", "{}").getMessage()).contains("'label'");
  }

  @Test
  void tooManyArguments() {
    BindException e = bindFails("t.int", "[1, 2]", "{}");
    assertThat(e.getMessage()).contains("1 argument").contains("2");
    bindFails("t.none", "[1]", "{}");
  }

  @Test
  void missingArgumentIsNamed() {
    assertThat(bindFails("t.scalars", "[1, 0.5, true]", "{}").getMessage()).contains("'label'");
    assertThat(bindFails("t.scalars", "[]", "{\"id\":1,\"ratio\":1.0,\"label\":\"x\"}").getMessage()).contains("'flag'");
  }

  @Test
  void unknownKwargIsNamed() {
    assertThat(bindFails("t.int", "[]", "{\"count\":1,\"cnt\":2}").getMessage()).contains("'cnt'");
  }

  @Test
  void sameParameterByPositionAndByName() {
    assertThat(bindFails("t.scalars", "[1, 0.5, true, \"x\"]", "{\"id\":2}").getMessage())
        .contains("'id'").contains("position");
  }

  @Test
  void boundTaskLeavesSlotZeroForTheContext() throws Exception {
    RegisteredTask bound = registry.find("t.bound");
    assertThat(bound.definition().bind()).isTrue();

    Object[] positional = bound.bind(args("[\"alice\", 3]"), kwargs("{}"));
    assertThat(positional).hasSize(3);
    assertThat(positional).containsExactly(null, "alice", 3);

    assertThat(bound.bind(args("[]"), kwargs("{\"n\":1,\"name\":\"bob\"}"))).containsExactly(null, "bob", 1);
    assertThat(catchThrowableOfType(BindException.class,
        () -> bound.bind(args("[\"a\", 1]"), kwargs("{\"context\":{}}"))).getMessage()).contains("'context'");
    assertThat(catchThrowableOfType(BindException.class,
        () -> bound.bind(args("[\"a\", 1, 2]"), kwargs("{}")))).isNotNull();
  }

  @Test
  void staticTasksHaveNoTargetAndInstanceTasksShareOneInstance() throws Exception {
    assertThat(registry.find("t.scalars").target()).isNull();
    RegisteredTask greet = registry.find("t.greet");
    RegisteredTask wave = registry.find("t.wave");
    assertThat(greet.target()).isInstanceOf(Greeter.class).isSameAs(wave.target());

    Object[] bound = greet.bind(args("[]"), kwargs("{\"who\":\"ann\"}"));
    assertThat(greet.method().invoke(greet.target(), bound))
        .isEqualTo("hello ann from " + ((Greeter) greet.target()).serial);
  }

  @Test
  void duplicateNamesAreRejectedNamingBothMethods() throws Exception {
    Method a = FirstOwner.class.getDeclaredMethod("a");
    Method b = SecondOwner.class.getDeclaredMethod("b", String.class);

    assertThatThrownBy(() -> TaskRegistry.of(List.of(a, b), MAPPER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'t.same'")
        .hasMessageContaining(TaskDefinition.describe(a))
        .hasMessageContaining(TaskDefinition.describe(b));
  }

  @Test
  void instanceTaskNeedsANoArgumentConstructor() throws Exception {
    Method run = NoDefaultConstructor.class.getDeclaredMethod("run");
    assertThatThrownBy(() -> TaskRegistry.of(List.of(run), MAPPER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(NoDefaultConstructor.class.getName());
  }

  @Test
  void invalidAnnotationIsRejected() throws Exception {
    Method notATask = TaskRegistryTest.class.getDeclaredMethod("args", String.class);
    assertThatThrownBy(() -> TaskRegistry.of(List.of(notATask), MAPPER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args");
  }
}
