package dev.dispatcher.service.completion;

import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.pool.Completer;
import dev.dispatcher.service.pool.Outcome;
import dev.dispatcher.service.pool.Work;
import java.time.Duration;

/** Sends each run to the completer of its mode: durable work (it has a claim) to one, the rest to the other. */
public final class RoutingCompleter implements Completer {

  private final Completer fireAndForget;
  private final Completer durable;

  public RoutingCompleter(Completer fireAndForget, Completer durable) {
    this.fireAndForget = fireAndForget;
    this.durable = durable;
  }

  @Override
  public void completed(Work work, TaskRun run, Outcome outcome, Duration duration) {
    (work.claim() == null ? fireAndForget : durable).completed(work, run, outcome, duration);
  }
}
