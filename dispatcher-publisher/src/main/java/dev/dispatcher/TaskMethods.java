package dev.dispatcher;

import java.io.Serializable;

/**
 * Method shapes for type-safe task references: {@code publisher.task(Tasks::sum2)} only compiles
 * when {@code sum2}'s parameters match, and {@code delay(1, 2)} only with arguments of those types.
 * {@code OfN} matches a method with N parameters; {@code BoundN} matches a bound task's method,
 * whose first parameter is the {@link TaskContext}. They are {@link Serializable} so that the
 * referenced method can be read back from the method reference; they are never called.
 */
public final class TaskMethods {

  private TaskMethods() {}

  /** A task method with 0 parameters. */
  @FunctionalInterface
  public interface Of0 extends Serializable {
    void call() throws Exception;
  }

  /** A task method with 1 parameter. */
  @FunctionalInterface
  public interface Of1<A> extends Serializable {
    void call(A a) throws Exception;
  }

  /** A task method with 2 parameters. */
  @FunctionalInterface
  public interface Of2<A, B> extends Serializable {
    void call(A a, B b) throws Exception;
  }

  /** A task method with 3 parameters. */
  @FunctionalInterface
  public interface Of3<A, B, C> extends Serializable {
    void call(A a, B b, C c) throws Exception;
  }

  /** A task method with 4 parameters. */
  @FunctionalInterface
  public interface Of4<A, B, C, D> extends Serializable {
    void call(A a, B b, C c, D d) throws Exception;
  }

  /** A task method with 5 parameters. */
  @FunctionalInterface
  public interface Of5<A, B, C, D, E> extends Serializable {
    void call(A a, B b, C c, D d, E e) throws Exception;
  }

  /** A task method with 6 parameters. */
  @FunctionalInterface
  public interface Of6<A, B, C, D, E, F> extends Serializable {
    void call(A a, B b, C c, D d, E e, F f) throws Exception;
  }

  /** A bound task method: the context, then 0 parameters. */
  @FunctionalInterface
  public interface Bound0 extends Serializable {
    void call(TaskContext context) throws Exception;
  }

  /** A bound task method: the context, then 1 parameter. */
  @FunctionalInterface
  public interface Bound1<A> extends Serializable {
    void call(TaskContext context, A a) throws Exception;
  }

  /** A bound task method: the context, then 2 parameters. */
  @FunctionalInterface
  public interface Bound2<A, B> extends Serializable {
    void call(TaskContext context, A a, B b) throws Exception;
  }

  /** A bound task method: the context, then 3 parameters. */
  @FunctionalInterface
  public interface Bound3<A, B, C> extends Serializable {
    void call(TaskContext context, A a, B b, C c) throws Exception;
  }

  /** A bound task method: the context, then 4 parameters. */
  @FunctionalInterface
  public interface Bound4<A, B, C, D> extends Serializable {
    void call(TaskContext context, A a, B b, C c, D d) throws Exception;
  }

  /** A bound task method: the context, then 5 parameters. */
  @FunctionalInterface
  public interface Bound5<A, B, C, D, E> extends Serializable {
    void call(TaskContext context, A a, B b, C c, D d, E e) throws Exception;
  }
}
