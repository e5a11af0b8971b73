package dev.dispatcher.service.producers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.intake.Backlog;
import dev.dispatcher.service.lifecycle.Service;
import java.util.List;

/** Submits the configured on-start tasks once, when the daemon is up. */
public final class OnStartProducer implements Service {

  private final List<DispatcherConfig.Submission> tasks;
  private final Backlog backlog;
  private final LocalMessages messages;

  public OnStartProducer(List<DispatcherConfig.Submission> tasks, Backlog backlog, ObjectMapper mapper) {
    this.tasks = List.copyOf(tasks);
    this.backlog = backlog;
    this.messages = new LocalMessages(mapper);
  }

  @Override
  public String name() {
    return "on-start tasks";
  }

  @Override
  public void start() {
    for (DispatcherConfig.Submission task : tasks) {
      backlog.local(messages.create(task, "on_start"));
    }
  }

  /** Nothing to stop: the tasks were handed over at start. */
  @Override
  public void stop() {}
}
