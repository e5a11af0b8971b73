package dev.dispatcher.service.hooks;

import dev.dispatcher.service.lifecycle.Service;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls the hooks' {@code onIdle} once the pool has been idle (nothing running, queued or held)
 * for {@code idleAfter}; work arriving first calls it off. The pool reports each change.
 */
public final class IdleWatch implements Service {

  private final Hooks hooks;
  private final ScheduledExecutorService timer;
  private final Duration idleAfter;
  private final Object lock = new Object();
  private ScheduledFuture<?> pending; // guarded by lock
  private boolean stopped; // guarded by lock

  public IdleWatch(Hooks hooks, ScheduledExecutorService timer, Duration idleAfter) {
    this.hooks = hooks;
    this.timer = timer;
    this.idleAfter = idleAfter;
  }

  /** From the pool: it became idle, or busy. */
  public void idleChanged(boolean idle) {
    synchronized (lock) {
      if (pending != null) {
        pending.cancel(false);
        pending = null;
      }
      if (idle && !stopped && !hooks.isEmpty()) {
        pending = timer.schedule(hooks::onIdle, idleAfter.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  @Override
  public String name() {
    return "idle watch";
  }

  /** The daemon starts idle. */
  @Override
  public void start() {
    idleChanged(true);
  }

  @Override
  public void stop() {
    synchronized (lock) {
      stopped = true;
      if (pending != null) {
        pending.cancel(false);
        pending = null;
      }
    }
  }
}
