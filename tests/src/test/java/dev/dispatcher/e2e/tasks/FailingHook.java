package dev.dispatcher.e2e.tasks;

import dev.dispatcher.service.hooks.DispatcherHook;

/** A hook whose static initialiser throws: start-up must stop with a config error naming it, not a stack trace. */
public final class FailingHook implements DispatcherHook {

  private static final String SETTING = fail();

  private static String fail() {
    throw new IllegalStateException("no setting for FailingHook");
  }

  @Override
  public String toString() {
    return SETTING;
  }
}
