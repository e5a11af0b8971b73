package dev.dispatcher.e2e.tasks;

import dev.dispatcher.service.hooks.DispatcherHook;
import dev.dispatcher.service.hooks.DispatcherInfo;
import dev.dispatcher.service.hooks.TaskOutcome;
import dev.dispatcher.service.hooks.TaskRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every hook call as {@code hook-event <name> [uuid status]} so a test can read their order. */
public final class OrderHook implements DispatcherHook {

  private static final Logger log = LoggerFactory.getLogger(OrderHook.class);

  @Override
  public void onStart(DispatcherInfo info) {
    log.info("hook-event onStart {}", info.nodeId());
  }

  @Override
  public void beforeTask(TaskRun run) {
    log.info("hook-event beforeTask {}", run.uuid());
  }

  @Override
  public void afterTask(TaskRun run, TaskOutcome outcome) {
    log.info("hook-event afterTask {} {}", run.uuid(), outcome.status());
  }

  @Override
  public void onIdle() {
    log.info("hook-event onIdle");
  }

  @Override
  public void onShutdown() {
    log.info("hook-event onShutdown");
  }
}
