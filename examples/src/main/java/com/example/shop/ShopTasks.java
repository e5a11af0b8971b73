package com.example.shop;

import dev.dispatcher.OnDuplicate;
import dev.dispatcher.Task;
import dev.dispatcher.TaskContext;

/**
 * The example's tasks. The daemon runs them: give it this jar with {@code --classpath} and it
 * registers every {@code @Task} in it. The application publishes them with the same method
 * references ({@code publisher.task(ShopTasks::sendReceipt)}), so a wrong argument type does not
 * compile. What a task returns is in the daemon's log line for the run.
 */
public final class ShopTasks {

  /** The channel the daemon of examples/dispatcher.yml listens on. */
  public static final String CHANNEL = "shop";

  private ShopTasks() {}

  /** Published inside the transaction that stores the order: runs only if that transaction commits. */
  @Task(channel = CHANNEL, timeout = 30)
  public static String sendReceipt(long orderId, String email) {
    // ... render the receipt, talk to the mail server ...
    return "receipt for order " + orderId + " sent to " + email;
  }

  /** Published on its own; a second restock of the same item while one is waiting is dropped. */
  @Task(name = "shop.restock", channel = CHANNEL, onDuplicate = OnDuplicate.DISCARD)
  public static String restock(String sku, int quantity) {
    return "restocked " + quantity + " x " + sku;
  }

  /** A bound task: the daemon passes the context (uuid, channel, node, a publisher) first. */
  @Task(channel = CHANNEL, bind = true)
  public static String audit(TaskContext context, String event) {
    return "audited '" + event + "' as " + context.uuid() + " on " + context.nodeId();
  }
}
