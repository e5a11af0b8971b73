package dev.dispatcher.service.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.service.testing.FakeTimer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleWatchTest {

  private static final Duration IDLE_AFTER = Duration.ofSeconds(5);

  private final FakeTimer timer = new FakeTimer();
  private final AtomicLong now = new AtomicLong(1_000);
  private final AtomicInteger idleCalls = new AtomicInteger();
  private final IdleWatch watch = new IdleWatch(new Hooks(List.of(new DispatcherHook() {
    @Override
    public void onIdle() {
      idleCalls.incrementAndGet();
    }
  })), timer, IDLE_AFTER, now::get);

  @Test
  void callsTheHooksOnceAfterAQuietSpell() {
    watch.start();
    FakeTimer.Entry check = timer.single();
    assertThat(check.delayNanos).isEqualTo(IDLE_AFTER.toNanos());

    now.addAndGet(IDLE_AFTER.toNanos());
    timer.run(check);

    assertThat(idleCalls).hasValue(1);
    assertThat(timer.pending()).isEmpty();
  }

  @Test
  void workArrivingFirstCallsItOff() {
    watch.start();
    watch.idleChanged(false);
    now.addAndGet(IDLE_AFTER.toNanos());
    timer.run(timer.single());

    assertThat(idleCalls).hasValue(0);
    assertThat(timer.pending()).isEmpty();
  }

  /** BUG (cost): every change scheduled and cancelled a timer entry, twice per task under a stream of short tasks. */
  @Test
  void manyChangesShareOneTimerEntry() {
    watch.start();
    for (int i = 0; i < 1_000; i++) {
      watch.idleChanged(false);
      now.addAndGet(1_000);
      watch.idleChanged(true);
    }

    assertThat(timer.entries()).hasSize(1);
  }

  @Test
  void aCheckDuringAShorterSpellWaitsForTheRestOfIt() {
    watch.start();
    FakeTimer.Entry first = timer.single();
    now.addAndGet(IDLE_AFTER.toNanos() - 2_000);
    watch.idleChanged(false);
    watch.idleChanged(true); // a new spell begins 2 µs before the first check is due

    now.addAndGet(2_000);
    timer.run(first);
    assertThat(idleCalls).hasValue(0);
    FakeTimer.Entry second = timer.single();
    assertThat(second.delayNanos).isEqualTo(IDLE_AFTER.toNanos() - 2_000);

    now.addAndGet(second.delayNanos);
    timer.run(second);
    assertThat(idleCalls).hasValue(1);
  }

  @Test
  void eachIdleSpellCallsTheHooksAgain() {
    watch.start();
    now.addAndGet(IDLE_AFTER.toNanos());
    timer.run(timer.single());
    watch.idleChanged(false);
    watch.idleChanged(true);
    now.addAndGet(IDLE_AFTER.toNanos());
    timer.run(timer.single());

    assertThat(idleCalls).hasValue(2);
  }

  @Test
  void nothingIsCalledAfterStop() {
    watch.start();
    watch.stop();
    now.addAndGet(IDLE_AFTER.toNanos());
    timer.run(timer.single());
    watch.idleChanged(false);
    watch.idleChanged(true);

    assertThat(idleCalls).hasValue(0);
    assertThat(timer.pending()).isEmpty();
  }
}
