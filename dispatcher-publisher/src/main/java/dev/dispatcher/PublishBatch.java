package dev.dispatcher;

import dev.dispatcher.wire.Notification;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects submissions and sends them in one statement and one round trip. Not thread-safe.
 *
 * <pre>{@code
 * PublishBatch batch = publisher.batch();
 * for (Order order : orders) {
 *   batch.task(OrderTasks::ship).delay(order.id());   // returns the uuid; nothing sent yet
 * }
 * List<String> uuids = batch.send();
 * }</pre>
 */
public final class PublishBatch extends TaskFactory {

  private final Publisher publisher;
  private final MethodReferences methodReferences;
  private final List<Notification> pending = new ArrayList<>();
  private final List<String> uuids = new ArrayList<>();
  private final TaskSubmitter collector;

  PublishBatch(Publisher publisher, MessageFactory messages, MethodReferences methodReferences) {
    this.publisher = publisher;
    this.methodReferences = methodReferences;
    this.collector = new TaskSubmitter() {
      @Override
      public MessageFactory messages() {
        return messages;
      }

      @Override
      public void accept(String uuid, List<Notification> notifications) {
        uuids.add(uuid);
        pending.addAll(notifications);
      }
    };
  }

  /** Number of submissions collected and not yet sent. */
  public int size() {
    return uuids.size();
  }

  /**
   * Sends everything collected, in order, and empties the batch.
   *
   * @return the uuids of the submissions sent, in submission order
   * @throws PublishException when the database refuses; then nothing of the batch was published
   */
  public List<String> send() {
    if (pending.isEmpty()) {
      return List.of();
    }
    publisher.send(pending);
    List<String> sent = List.copyOf(uuids);
    pending.clear();
    uuids.clear();
    return sent;
  }

  @Override
  TaskSubmitter submitter() {
    return collector;
  }

  @Override
  MethodReferences methodReferences() {
    return methodReferences;
  }
}
