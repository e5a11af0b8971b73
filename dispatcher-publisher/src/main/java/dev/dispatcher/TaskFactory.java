package dev.dispatcher;

/**
 * Makes task references. {@link Publisher} publishes each submission at once; {@link PublishBatch}
 * collects them and sends them in one round trip.
 */
public abstract sealed class TaskFactory permits Publisher, PublishBatch {

  TaskFactory() {}

  abstract TaskSubmitter submitter();

  abstract MethodReferences methodReferences();

  /** A task known by name, e.g. {@code "app.tasks.send_email"} from a Python service. */
  public final NamedTask task(String name) {
    return new NamedTask(TaskDefinition.named(name), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a {@code @Task} method with 0 parameters: {@code task(Tasks::method)}. */
  public final TaskRef0 task(TaskMethods.Of0 method) {
    return new TaskRef0(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a {@code @Task} method with 1 parameter: {@code task(Tasks::method)}. */
  public final <A> TaskRef1<A> task(TaskMethods.Of1<A> method) {
    return new TaskRef1<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a {@code @Task} method with 2 parameters: {@code task(Tasks::method)}. */
  public final <A, B> TaskRef2<A, B> task(TaskMethods.Of2<A, B> method) {
    return new TaskRef2<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a {@code @Task} method with 3 parameters: {@code task(Tasks::method)}. */
  public final <A, B, C> TaskRef3<A, B, C> task(TaskMethods.Of3<A, B, C> method) {
    return new TaskRef3<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a {@code @Task} method with 4 parameters: {@code task(Tasks::method)}. */
  public final <A, B, C, D> TaskRef4<A, B, C, D> task(TaskMethods.Of4<A, B, C, D> method) {
    return new TaskRef4<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a {@code @Task} method with 5 parameters: {@code task(Tasks::method)}. */
  public final <A, B, C, D, E> TaskRef5<A, B, C, D, E> task(TaskMethods.Of5<A, B, C, D, E> method) {
    return new TaskRef5<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a {@code @Task} method with 6 parameters: {@code task(Tasks::method)}. */
  public final <A, B, C, D, E, F> TaskRef6<A, B, C, D, E, F> task(TaskMethods.Of6<A, B, C, D, E, F> method) {
    return new TaskRef6<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a bound {@code @Task(bind = true)} method; the daemon supplies the context. */
  public final TaskRef0 boundTask(TaskMethods.Bound0 method) {
    return new TaskRef0(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a bound {@code @Task(bind = true)} method; the daemon supplies the context. */
  public final <A> TaskRef1<A> boundTask(TaskMethods.Bound1<A> method) {
    return new TaskRef1<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a bound {@code @Task(bind = true)} method; the daemon supplies the context. */
  public final <A, B> TaskRef2<A, B> boundTask(TaskMethods.Bound2<A, B> method) {
    return new TaskRef2<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a bound {@code @Task(bind = true)} method; the daemon supplies the context. */
  public final <A, B, C> TaskRef3<A, B, C> boundTask(TaskMethods.Bound3<A, B, C> method) {
    return new TaskRef3<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a bound {@code @Task(bind = true)} method; the daemon supplies the context. */
  public final <A, B, C, D> TaskRef4<A, B, C, D> boundTask(TaskMethods.Bound4<A, B, C, D> method) {
    return new TaskRef4<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }

  /** A reference to a bound {@code @Task(bind = true)} method; the daemon supplies the context. */
  public final <A, B, C, D, E> TaskRef5<A, B, C, D, E> boundTask(TaskMethods.Bound5<A, B, C, D, E> method) {
    return new TaskRef5<>(methodReferences().definitionOf(method), submitter(), SubmitOptions.NONE);
  }
}
