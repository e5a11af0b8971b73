package dev.dispatcher.service.producers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.intake.DispatchLoop;
import java.util.List;

/** Submits the configured on-start tasks once, when the daemon is up. */
public final class OnStartProducer {

  private final List<DispatcherConfig.Submission> tasks;
  private final DispatchLoop loop;
  private final LocalMessages messages;

  public OnStartProducer(List<DispatcherConfig.Submission> tasks, DispatchLoop loop, ObjectMapper mapper) {
    this.tasks = List.copyOf(tasks);
    this.loop = loop;
    this.messages = new LocalMessages(mapper);
  }

  public void start() {
    for (DispatcherConfig.Submission task : tasks) {
      loop.local(messages.create(task, "on_start"));
    }
  }
}
