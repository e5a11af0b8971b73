package dev.dispatcher.service.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.TaskDefinition;
import java.lang.reflect.Method;

/**
 * A task the daemon can run: its annotation's defaults, the method, and the instance to call it
 * on (null for a static method).
 */
public final class RegisteredTask {

  private final TaskDefinition definition;
  private final Method method;
  private final Object target;
  private final ArgumentBinder binder;

  RegisteredTask(TaskDefinition definition, Method method, Object target, ArgumentBinder binder) {
    this.definition = definition;
    this.method = method;
    this.target = target;
    this.binder = binder;
  }

  public String name() {
    return definition.name();
  }

  public TaskDefinition definition() {
    return definition;
  }

  public Method method() {
    return method;
  }

  /** The instance the method runs on; null for static methods. */
  public Object target() {
    return target;
  }

  /**
   * Converts the message's arguments to the method's parameter types. For a bound task the first
   * slot is left null for the context.
   */
  public Object[] bind(ArrayNode args, ObjectNode kwargs) throws BindException {
    return binder.bind(args, kwargs);
  }
}
