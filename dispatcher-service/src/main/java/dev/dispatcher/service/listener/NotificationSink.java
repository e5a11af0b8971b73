package dev.dispatcher.service.listener;

/**
 * Takes notifications from the listener. Called on the driver's Netty I/O thread: it must not
 * block and must not touch the listening connection (that deadlocks).
 */
@FunctionalInterface
public interface NotificationSink {
  void accept(String channel, String payload);
}
