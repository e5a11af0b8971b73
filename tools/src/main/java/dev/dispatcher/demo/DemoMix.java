package dev.dispatcher.demo;

import dev.dispatcher.PublishBatch;
import dev.dispatcher.SubmitOptions;
import java.util.List;

/**
 * The mixed burst the demo and {@code write-messages} publish: the i-th submission is one of
 * hello, sum2, mult3, a short sleep, insert_row or fail, spread round-robin over the channels.
 */
public final class DemoMix {

  /** Kinds in publishing order; every {@code KINDS.size()}-th submission is a {@code fail}. */
  public static final List<String> KINDS = List.of("hello", "sum2", "mult3", "sleep", "insert_row", "fail");

  private final List<String> channels;
  private final boolean durable;
  /** Only names the instance method in a type-safe reference; the daemon uses its own instance. */
  private final DemoTasks referenceTarget = new DemoTasks();

  /** Fire-and-forget submissions. */
  public DemoMix(List<String> channels) {
    this(channels, false);
  }

  /**
   * @param durable whether the submissions are durable rows (the {@code fail} ones with a single
   *     attempt, so that they fail for good at once instead of retrying for minutes)
   */
  public DemoMix(List<String> channels, boolean durable) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("at least one channel");
    }
    this.channels = List.copyOf(channels);
    this.durable = durable;
  }

  /** Adds submission number {@code i} to the batch; returns its uuid. */
  public String add(PublishBatch batch, int i) {
    String channel = channels.get(i % channels.size());
    String kind = KINDS.get(i % KINDS.size());
    SubmitOptions.Builder options = SubmitOptions.builder().channel(channel);
    if (durable) {
      options.durable(true).maxAttempts(kind.equals("fail") ? 1 : 10);
    }
    SubmitOptions on = options.build();
    return switch (kind) {
      case "hello" -> batch.task(DemoTasks::hello).withOptions(on).delay();
      case "sum2" -> batch.task(DemoTasks::sum2).withOptions(on).delay((long) i, 1L);
      case "mult3" -> batch.task(DemoTasks::mult3).withOptions(on).delay((long) i, 2L, 3L);
      case "sleep" -> batch.task(DemoTasks::sleep).withOptions(on).delay(0.01);
      case "insert_row" -> batch.boundTask(referenceTarget::insertRow).withOptions(on).delay("demo row " + i);
      default -> batch.task(DemoTasks::fail).withOptions(on).delay();
    };
  }

  /** How many of the first {@code count} submissions are {@code fail} tasks. */
  public static int expectedFailures(int count) {
    int failIndex = KINDS.indexOf("fail");
    return count / KINDS.size() + (count % KINDS.size() > failIndex ? 1 : 0);
  }
}
