package dev.dispatcher.service.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dispatcher.service.metrics.DispatcherMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A flood of control messages takes at most maxHandlers + maxBusyReplies threads; the rest are
 * dropped. The "threads" here are runnables the test holds and runs itself, so every step is
 * deterministic.
 */
class BoundedHandlersTest {

  private final List<Runnable> started = new ArrayList<>();
  private final Executor threads = started::add;
  private final DispatcherMetrics metrics = new DispatcherMetrics();

  @Test
  void beyondTheHandlersMessagesGetABusyAnswerAndBeyondThatAreDropped() {
    BoundedHandlers handlers = new BoundedHandlers(2, 3, metrics, threads);
    AtomicInteger handled = new AtomicInteger();
    AtomicInteger answeredBusy = new AtomicInteger();

    List<BoundedHandlers.Admission> admissions = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      admissions.add(handlers.submit(handled::incrementAndGet, answeredBusy::incrementAndGet));
    }

    assertThat(admissions).filteredOn(a -> a == BoundedHandlers.Admission.HANDLED).hasSize(2);
    assertThat(admissions).filteredOn(a -> a == BoundedHandlers.Admission.BUSY).hasSize(3);
    assertThat(admissions).filteredOn(a -> a == BoundedHandlers.Admission.DROPPED).hasSize(995);
    assertThat(started).as("threads started").hasSize(5);
    assertThat(metrics.counts().controlHandlersActive()).isEqualTo(2);

    started.forEach(Runnable::run);

    assertThat(handled).hasValue(2);
    assertThat(answeredBusy).hasValue(3);
    assertThat(metrics.counts().controlHandlersActive()).isZero();
    assertThat(metrics.counts().controlHandlersPeak()).isEqualTo(2);
    assertThat(handlers.submit(() -> { }, () -> { })).as("the slots are free again").isEqualTo(BoundedHandlers.Admission.HANDLED);
  }

  @Test
  void aHandlerThatThrowsGivesItsSlotBack() {
    BoundedHandlers handlers = new BoundedHandlers(1, 0, metrics, threads);
    assertThat(handlers.submit(() -> {
      throw new IllegalStateException("boom");
    }, () -> { })).isEqualTo(BoundedHandlers.Admission.HANDLED);
    assertThat(handlers.submit(() -> { }, () -> { })).isEqualTo(BoundedHandlers.Admission.DROPPED);

    assertThatThrownBy(() -> started.get(0).run()).hasMessage("boom");

    assertThat(handlers.submit(() -> { }, () -> { })).isEqualTo(BoundedHandlers.Admission.HANDLED);
  }

  @Test
  void aThreadThatCannotStartGivesItsSlotBack() {
    BoundedHandlers handlers = new BoundedHandlers(1, 0, metrics, work -> {
      throw new RejectedExecutionException("no threads");
    });

    assertThatThrownBy(() -> handlers.submit(() -> { }, () -> { })).isInstanceOf(RejectedExecutionException.class);
    assertThat(metrics.counts().controlHandlersActive()).isZero();
    BoundedHandlers working = new BoundedHandlers(1, 0, metrics, threads);
    assertThat(working.submit(() -> { }, () -> { })).isEqualTo(BoundedHandlers.Admission.HANDLED);
  }
}
