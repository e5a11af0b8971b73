package dev.dispatcher.tools.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The durable rounds' payloads: one task object per row, as {@code enqueue_many} takes them
 * ({@code {"task":…,"channel":…,"args":[i]}}; the table gives each its uuid), and the same objects
 * grouped into the JSON arrays that are sent, one statement per array. The raw ceiling inserts the
 * very same objects into its bare table. All of it is built before a round starts.
 */
final class DurablePayloads {

  static final String TASK = "dev.dispatcher.tools.bench.BenchTasks.noop";
  /** The same, returning a small value: its row keeps a result. */
  static final String TASK_WITH_RESULT = "dev.dispatcher.tools.bench.BenchTasks.noopResult";

  private DurablePayloads() {}

  /** {@code count} task objects for the task on the channel, argument 0 to count - 1. */
  static List<String> rows(int count, String channel) {
    return rows(count, channel, TASK);
  }

  /** {@code count} task objects for this task (one of the bench's) on the channel, argument 0 to count - 1. */
  static List<String> rows(int count, String channel, String task) {
    if (!channel.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("a plain channel name, nothing to escape: " + channel);
    }
    String head = "{\"task\":\"" + task + "\",\"channel\":\"" + channel + "\",\"args\":[";
    List<String> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(head + i + "]}");
    }
    return rows;
  }

  /** The rows in groups of {@code batchSize} (the last one may be smaller), in order. */
  static List<List<String>> batches(List<String> rows, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
    }
    List<List<String>> batches = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += batchSize) {
      batches.add(rows.subList(from, Math.min(rows.size(), from + batchSize)));
    }
    return batches;
  }

  /** Each batch as one JSON array: the text of {@code enqueue_many}'s one parameter. */
  static List<String> arrays(List<String> rows, int batchSize) {
    List<String> arrays = new ArrayList<>();
    for (List<String> batch : batches(rows, batchSize)) {
      arrays.add("[" + String.join(",", batch) + "]");
    }
    return arrays;
  }
}
