package dev.dispatcher.service.hooks;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls every configured hook in order; a failing hook is logged and never stops the others. */
public final class Hooks {

  private static final Logger log = LoggerFactory.getLogger(Hooks.class);

  @FunctionalInterface
  private interface Call {
    void on(DispatcherHook hook) throws Exception;
  }

  private final List<DispatcherHook> hooks;

  public Hooks(List<DispatcherHook> hooks) {
    this.hooks = List.copyOf(hooks);
  }

  public boolean isEmpty() {
    return hooks.isEmpty();
  }

  public void onStart(DispatcherInfo info) {
    each("onStart", null, hook -> hook.onStart(info));
  }

  public void beforeTask(TaskRun run) {
    each("beforeTask", run.uuid(), hook -> hook.beforeTask(run));
  }

  public void afterTask(TaskRun run, TaskOutcome outcome) {
    each("afterTask", run.uuid(), hook -> hook.afterTask(run, outcome));
  }

  public void onIdle() {
    each("onIdle", null, DispatcherHook::onIdle);
  }

  public void onShutdown() {
    each("onShutdown", null, DispatcherHook::onShutdown);
  }

  private void each(String event, String uuid, Call call) {
    for (DispatcherHook hook : hooks) {
      try {
        call.on(hook);
      } catch (Exception | LinkageError e) {
        log.warn("hook {}.{} failed{}: {}", hook.getClass().getName(), event, uuid == null ? "" : " for task " + uuid, e.toString(), e);
      }
    }
  }
}
