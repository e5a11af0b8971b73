package dev.dispatcher.service.hooks;

import dev.dispatcher.service.lifecycle.Service;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Calls the hooks' {@code onIdle} once the pool has been idle (nothing running, queued or held)
 * for {@code idleAfter}; work arriving first calls it off. The pool reports each change.
 *
 * <p>Under a stream of short tasks the pool turns idle and busy again for every task, so a change
 * only records the time: at most one check waits on the timer, and when it comes due it either
 * calls the hooks or waits again for the end of the current idle spell. (Scheduling and cancelling
 * a timer entry per change kept the timer thread busy and cost every task a lock and a wake-up.)
 */
public final class IdleWatch implements Service {

  private final Hooks hooks;
  private final ScheduledExecutorService timer;
  private final long idleAfterNanos;
  private final LongSupplier nanoClock;
  private final Object lock = new Object();
  private boolean idle; // guarded by lock
  private long idleSince; // guarded by lock; nanoClock time the current idle spell began
  private boolean called; // guarded by lock; onIdle already ran in the current idle spell
  private boolean checkPending; // guarded by lock
  private boolean stopped; // guarded by lock

  public IdleWatch(Hooks hooks, ScheduledExecutorService timer, Duration idleAfter) {
    this(hooks, timer, idleAfter, System::nanoTime);
  }

  IdleWatch(Hooks hooks, ScheduledExecutorService timer, Duration idleAfter, LongSupplier nanoClock) {
    this.hooks = hooks;
    this.timer = timer;
    this.idleAfterNanos = idleAfter.toNanos();
    this.nanoClock = nanoClock;
  }

  /** From the pool: it became idle, or busy. May be called under the pool's lock: it never blocks on the hooks. */
  public void idleChanged(boolean nowIdle) {
    synchronized (lock) {
      if (nowIdle == idle) {
        return;
      }
      idle = nowIdle;
      if (!nowIdle) {
        return;
      }
      idleSince = nanoClock.getAsLong();
      called = false;
      if (!checkPending && !stopped && !hooks.isEmpty()) {
        checkAfter(idleAfterNanos);
      }
    }
  }

  /** On the timer: calls the hooks if the pool has been idle long enough, else waits for the rest of the current spell. */
  private void check() {
    synchronized (lock) {
      checkPending = false;
      if (stopped || !idle || called) {
        return; // busy: the next idle spell schedules its own check
      }
      long left = idleSince + idleAfterNanos - nanoClock.getAsLong();
      if (left > 0) {
        checkAfter(left);
        return;
      }
      called = true;
    }
    hooks.onIdle();
  }

  private void checkAfter(long nanos) {
    checkPending = true;
    timer.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
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
      stopped = true; // a check still on the timer finds it and does nothing
    }
  }
}
