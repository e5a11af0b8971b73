package dev.dispatcher.service.lifecycle;

/**
 * A long-lived part of the daemon (listener, dispatch loop, producers, pool, control responder,
 * HTTP server, and later the claimer, completer, heartbeat, rescuer and cleaner), with one
 * contract: {@link #start()} once, then {@link #stop()} once. {@link Services} starts them in
 * dependency order and stops them in reverse.
 */
public interface Service {

  /** A short name for logs, e.g. {@code listener}. */
  String name();

  /** Starts the part; returns once it runs (it may still be connecting). */
  void start() throws Exception;

  /**
   * Stops the part and waits, within its own bound, until it has stopped. What it held and will
   * not finish is logged by the part itself.
   */
  void stop() throws Exception;

  /** A service made of two actions, for parts whose classes do not implement this interface. */
  static Service of(String name, Action start, Action stop) {
    return new Service() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void start() throws Exception {
        start.run();
      }

      @Override
      public void stop() throws Exception {
        stop.run();
      }
    };
  }

  /** A start or stop action. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;

    Action NONE = () -> { };
  }
}
