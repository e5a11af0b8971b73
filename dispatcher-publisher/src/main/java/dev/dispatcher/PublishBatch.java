package dev.dispatcher;

import dev.dispatcher.wire.DurableRow;
import dev.dispatcher.wire.Notification;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects submissions and sends them in one round trip. Not thread-safe. Fire-and-forget
 * submissions go in one {@code pg_notify} statement and durable ones in one {@code enqueue_many}
 * statement (one doorbell per channel); a batch that holds both sends the two in one transaction
 * (on the caller's connection, in the caller's).
 *
 * <pre>{@code
 * PublishBatch batch = publisher.batch();
 * for (Order order : orders) {
 *   batch.task(OrderTasks::ship).delay(order.id());   // returns the uuid; nothing sent yet
 * }
 * List<String> uuids = batch.send();
 * }</pre>
 *
 * <p>{@code submit(...)} returns a handle as {@code delay(...)} returns a uuid; its task finishes
 * only once the batch is sent. A submission the result cache may answer ({@link Task#cacheFor()})
 * is refused: a batch hands out its uuids before it is sent.
 */
public final class PublishBatch extends TaskFactory {

  private final Publisher publisher;
  private final MethodReferences methodReferences;
  private final List<Notification> pending = new ArrayList<>();
  private final List<DurableRow> pendingRows = new ArrayList<>();
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
      public void accept(MessageFactory.Encoded submission) {
        uuids.add(submission.uuid());
        if (submission instanceof MessageFactory.Notified notified) {
          pending.addAll(notified.notifications());
        } else {
          pendingRows.add(((MessageFactory.Enqueued) submission).row());
        }
      }

      @Override
      public Submitted send(TaskDefinition task, MessageFactory.Encoded submission) {
        if (submission instanceof MessageFactory.Enqueued enqueued && enqueued.row().cacheLookup()) {
          // the uuid is handed out now, and a cached answer would be another row's, known only once sent
          throw new IllegalArgumentException("task " + task.name() + ": a batch cannot take a submission the result cache may"
              + " answer (cacheFor): its uuid is handed out before the batch is sent, and a cached answer is another row's;"
              + " publish it on its own (publisher.task(...)), or give it SubmitOptions.builder().cacheFor(Duration.ZERO)"
              + " to run it anyway");
        }
        return TaskSubmitter.super.send(task, submission);
      }

      @Override
      public dev.dispatcher.status.TaskHandle handle(String uuid) {
        return publisher.handle(uuid); // it waits for a row that exists once the batch is sent
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
    if (uuids.isEmpty()) {
      return List.of();
    }
    publisher.send(pending, pendingRows);
    List<String> sent = List.copyOf(uuids);
    pending.clear();
    pendingRows.clear();
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
