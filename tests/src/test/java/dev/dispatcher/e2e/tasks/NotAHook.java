package dev.dispatcher.e2e.tasks;

/**
 * Not a {@code DispatcherHook}: named under {@code hooks:} it must be refused without its static
 * initialiser running, which would print {@link #TRACE}.
 */
public final class NotAHook {

  public static final String TRACE = "static initialiser of NotAHook ran";

  static {
    System.out.println(TRACE);
  }
}
