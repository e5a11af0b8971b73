package dev.dispatcher.tools.demo;

import dev.dispatcher.PublishBatch;
import dev.dispatcher.Publisher;
import dev.dispatcher.demo.DemoMix;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Publishes a burst of mixed demo tasks through the publisher library, in batches. */
@Command(name = "write-messages", mixinStandardHelpOptions = true,
    description = "Publish a burst of mixed demo tasks (hello, sum2, mult3, sleep, insert_row, fail).")
public final class WriteMessagesCommand implements Callable<Integer> {

  static final String DEFAULT_URL = "postgresql://dispatch:dispatching@127.0.0.1:55777/dispatch_db";

  @Option(names = {"-n", "--count"}, defaultValue = "1000", description = "How many tasks (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--channel", split = ",", defaultValue = "test_channel,test_channel2,test_channel3",
      description = "Channel(s), comma-separated; tasks go round-robin (default: ${DEFAULT-VALUE}).")
  List<String> channels;

  @Option(names = "--url", description = "Database (default: $DISPATCHER_DATABASE_URL, else " + DEFAULT_URL + ").")
  String url;

  @Option(names = "--durable", description = "Publish durable tasks: rows in the daemon's task table, run even if no daemon listens now.")
  boolean durable;

  @Option(names = "--batch-size", defaultValue = "500", description = "Submissions per round trip (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Override
  public Integer call() {
    if (count < 0 || batchSize < 1) {
      System.err.println("--count must be >= 0 and --batch-size >= 1");
      return 2;
    }
    try (Publisher publisher = Publisher.builder().url(resolveUrl(url)).build()) {
      long start = System.nanoTime();
      int sent = publish(publisher, new DemoMix(channels, durable), count, batchSize, uuids -> { });
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("published %d %stask(s) on %s in %.2f s (%.0f/s)%n", sent, durable ? "durable " : "", channels, seconds,
          sent / Math.max(seconds, 1e-9));
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("write-messages: " + e.getMessage());
      return 2;
    }
  }

  /**
   * Publishes {@code count} demo submissions in batches; prints a progress line each second on
   * long runs. Returns how many were published.
   */
  static int publish(Publisher publisher, DemoMix mix, int count, int batchSize, java.util.function.Consumer<List<String>> uuids) {
    long start = System.nanoTime();
    long nextProgress = start + 1_000_000_000L;
    int sent = 0;
    while (sent < count) {
      PublishBatch batch = publisher.batch();
      int end = Math.min(count, sent + batchSize);
      for (int i = sent; i < end; i++) {
        mix.add(batch, i);
      }
      uuids.accept(batch.send());
      sent = end;
      long now = System.nanoTime();
      if (now >= nextProgress && sent < count) {
        System.out.printf("  ... %d/%d published (%.0f/s)%n", sent, count, sent / ((now - start) / 1e9));
        nextProgress = now + 1_000_000_000L;
      }
    }
    return sent;
  }

  static String resolveUrl(String url) {
    if (url != null && !url.isBlank()) {
      return url;
    }
    String fromEnv = System.getenv("DISPATCHER_DATABASE_URL");
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_URL : fromEnv;
  }
}
