package dev.dispatcher.service.message;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.OnDuplicate;
import java.util.function.Supplier;

/**
 * A decoded task message: its known keys, typed, and {@link #raw()}, the whole message as it
 * came (unknown keys included) with {@code channel} and, when it arrived without one, {@code uuid}
 * added. Made by {@link TaskMessageReader} only. For messages read from text the raw tree is built
 * on first use: the dispatch path needs just the known keys.
 */
public final class TaskMessage {

  /**
   * What a message asks for beyond the task and its arguments.
   *
   * @param timePub publish time in epoch seconds, NaN when the message had none
   * @param timeoutSeconds 0 for none
   * @param onDuplicateGiven whether the message named a policy (else the task's default applies)
   * @param hasFollowUps whether it carries {@code callbacks} or {@code errbacks}
   */
  public record Options(double timePub, double timeoutSeconds, double delaySeconds, OnDuplicate onDuplicate, boolean onDuplicateGiven,
      boolean hasFollowUps) {}

  private final String uuid;
  private final String task;
  private final ArrayNode args;
  private final ObjectNode kwargs;
  private final Options options;
  private final String channel;
  private final long memoryBytes;
  private final Supplier<ObjectNode> rawSource;
  private volatile ObjectNode raw;

  TaskMessage(String uuid, String task, ArrayNode args, ObjectNode kwargs, Options options, String channel, long memoryBytes,
      Supplier<ObjectNode> rawSource) {
    this.uuid = uuid;
    this.task = task;
    this.args = args;
    this.kwargs = kwargs;
    this.options = options;
    this.channel = channel;
    this.memoryBytes = memoryBytes;
    this.rawSource = rawSource;
  }

  /** The whole message as it arrived, with {@code channel} (and a generated {@code uuid}) added. */
  public ObjectNode raw() {
    ObjectNode tree = raw;
    if (tree == null) {
      tree = rawSource.get(); // idempotent: a race builds two equal trees and keeps one
      raw = tree;
    }
    return tree;
  }

  public String uuid() {
    return uuid;
  }

  public String task() {
    return task;
  }

  public ArrayNode args() {
    return args;
  }

  public ObjectNode kwargs() {
    return kwargs;
  }

  public Options options() {
    return options;
  }

  /** Publish time in epoch seconds, or NaN when the message had none. */
  public double timePub() {
    return options.timePub();
  }

  /** Seconds the task may run; 0 for no timeout. */
  public double timeoutSeconds() {
    return options.timeoutSeconds();
  }

  public double delaySeconds() {
    return options.delaySeconds();
  }

  public OnDuplicate onDuplicate() {
    return options.onDuplicate();
  }

  /** Whether the message named an on_duplicate policy; without one the task's own default applies. */
  public boolean onDuplicateGiven() {
    return options.onDuplicateGiven();
  }

  /** Whether the message carries {@code callbacks} or {@code errbacks} (read from {@link #raw()}). */
  public boolean hasFollowUps() {
    return options.hasFollowUps();
  }

  /** The channel it arrived on; null for tasks the daemon made itself (schedules, on-start). */
  public String channel() {
    return channel;
  }

  /** The memory this message is estimated to take while the daemon holds it (for the bounds on waiting work). */
  public long memoryBytes() {
    return memoryBytes;
  }
}
