package dev.dispatcher.service.lifecycle;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's services in dependency order: started first to last, stopped last to first, so a
 * part never runs without what it feeds (the pool stops after the listener and the dispatch loop
 * that fill it). A failing start stops what had started and rethrows; a failing stop is logged
 * and the others still stop. Not thread-safe: its owner starts and stops it.
 */
public final class Services {

  private static final Logger log = LoggerFactory.getLogger(Services.class);

  private final List<Service> services;
  private final List<Service> started = new ArrayList<>();
  private boolean stopped;

  public Services(List<Service> inOrder) {
    this.services = List.copyOf(inOrder);
  }

  public void start() throws Exception {
    for (Service service : services) {
      try {
        service.start();
      } catch (Exception | Error e) {
        log.error("{} did not start: {}", service.name(), e.toString());
        stop();
        throw e;
      }
      started.add(service);
    }
  }

  /** Stops what started, in reverse order; idempotent. */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    for (int i = started.size() - 1; i >= 0; i--) {
      Service service = started.get(i);
      try {
        service.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn("stopping {} was interrupted", service.name());
      } catch (Exception | Error e) {
        log.warn("stopping {} failed: {}", service.name(), e.toString(), e);
      }
    }
  }

  /** The names, in start order (for tests and logs). */
  public List<String> names() {
    return services.stream().map(Service::name).toList();
  }
}
