package dev.dispatcher;

import java.io.Serializable;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the method behind a serializable method reference and reads its {@link Task} annotation.
 * Results are cached per lambda class, so a call site pays the reflection once.
 */
final class MethodReferences {

  private final ConcurrentHashMap<Class<?>, TaskDefinition> cache = new ConcurrentHashMap<>();

  TaskDefinition definitionOf(Serializable methodReference) {
    return cache.computeIfAbsent(methodReference.getClass(), type -> TaskDefinition.of(resolve(methodReference)));
  }

  private static Method resolve(Serializable methodReference) {
    SerializedLambda lambda = serializedForm(methodReference);
    int kind = lambda.getImplMethodKind();
    boolean unboundReceiver = (kind == MethodHandleInfo.REF_invokeVirtual || kind == MethodHandleInfo.REF_invokeInterface)
        && lambda.getCapturedArgCount() == 0;
    String className = lambda.getImplClass().replace('/', '.');
    try {
      ClassLoader loader = methodReference.getClass().getClassLoader();
      Class<?> owner = Class.forName(className, false, loader);
      MethodType type = MethodType.fromMethodDescriptorString(lambda.getImplMethodSignature(), loader);
      Method method = owner.getDeclaredMethod(lambda.getImplMethodName(), type.parameterArray());
      if (method.isSynthetic()) {
        throw new IllegalArgumentException("a task reference must be a method reference such as Tasks::send, not a lambda");
      }
      if (unboundReceiver) {
        throw new IllegalArgumentException("task reference " + className + "::" + method.getName()
            + " names an instance method without an instance: use a static method, an instance"
            + " (new " + owner.getSimpleName() + "()::" + method.getName() + ") or the task's name");
      }
      return method;
    } catch (ReflectiveOperationException | TypeNotPresentException e) {
      throw new IllegalArgumentException("cannot find the method behind " + className + "::" + lambda.getImplMethodName(), e);
    }
  }

  private static SerializedLambda serializedForm(Serializable methodReference) {
    try {
      Method writeReplace = methodReference.getClass().getDeclaredMethod("writeReplace");
      writeReplace.setAccessible(true);
      Object form = writeReplace.invoke(methodReference);
      if (form instanceof SerializedLambda lambda) {
        return lambda;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException("not a method reference: " + methodReference.getClass().getName(), e);
    }
    throw new IllegalArgumentException("not a method reference: " + methodReference.getClass().getName());
  }
}
