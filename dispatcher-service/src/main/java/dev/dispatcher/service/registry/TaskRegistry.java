package dev.dispatcher.service.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.TaskDefinition;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** The tasks this daemon runs, by registered name. Immutable once built. */
public final class TaskRegistry {

  private final Map<String, RegisteredTask> tasks;

  private TaskRegistry(Map<String, RegisteredTask> tasks) {
    this.tasks = Collections.unmodifiableMap(new TreeMap<>(tasks));
  }

  /** The task registered under this name, or null. */
  public RegisteredTask find(String name) {
    return tasks.get(name);
  }

  public Collection<RegisteredTask> all() {
    return tasks.values();
  }

  public int size() {
    return tasks.size();
  }

  /**
   * Registers the given {@code @Task} methods. Instance methods share one instance per class,
   * made with the class's no-argument constructor.
   *
   * @throws IllegalArgumentException naming the method or class when a name is taken twice, a
   *     class cannot be instantiated, or an annotation is invalid
   */
  public static TaskRegistry of(Collection<Method> methods, ObjectMapper mapper) {
    Map<String, RegisteredTask> tasks = new HashMap<>();
    Map<Class<?>, Object> instances = new HashMap<>();
    for (Method method : methods) {
      TaskDefinition definition = TaskDefinition.of(method);
      RegisteredTask existing = tasks.get(definition.name());
      if (existing != null) {
        throw new IllegalArgumentException("task name '" + definition.name() + "' is used by both "
            + TaskDefinition.describe(existing.method()) + " and " + TaskDefinition.describe(method));
      }
      if (!Modifier.isPublic(method.getModifiers()) || !Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
        method.setAccessible(true);
      }
      Object target = Modifier.isStatic(method.getModifiers())
          ? null
          : instances.computeIfAbsent(method.getDeclaringClass(), TaskRegistry::instantiate);
      ArgumentBinder binder = new ArgumentBinder(definition.name(), method, mapper, definition.bind() ? 1 : 0);
      tasks.put(definition.name(), new RegisteredTask(definition, method, target, binder));
    }
    return new TaskRegistry(tasks);
  }

  /**
   * This registry and the {@code @Task} methods of {@code target}'s class, run on {@code target}
   * itself (a built-in task that needs its configuration).
   *
   * @throws IllegalArgumentException when one of its names is taken already, or an annotation is invalid
   */
  public TaskRegistry plus(Object target, ObjectMapper mapper) {
    Map<String, RegisteredTask> all = new HashMap<>(tasks);
    for (Method method : target.getClass().getMethods()) {
      if (method.getAnnotation(dev.dispatcher.Task.class) == null || Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      TaskDefinition definition = TaskDefinition.of(method);
      if (all.containsKey(definition.name())) {
        throw new IllegalArgumentException("task name '" + definition.name() + "' is built in; another task has it too: "
            + TaskDefinition.describe(all.get(definition.name()).method()));
      }
      ArgumentBinder binder = new ArgumentBinder(definition.name(), method, mapper, definition.bind() ? 1 : 0);
      all.put(definition.name(), new RegisteredTask(definition, method, target, binder));
    }
    return new TaskRegistry(all);
  }

  private static Object instantiate(Class<?> type) {
    try {
      Constructor<?> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("task class " + type.getName()
          + " has instance @Task methods but no no-argument constructor; add one or make the methods static");
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("task class " + type.getName() + ": constructor failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("task class " + type.getName() + " cannot be instantiated: " + e, e);
    }
  }
}
