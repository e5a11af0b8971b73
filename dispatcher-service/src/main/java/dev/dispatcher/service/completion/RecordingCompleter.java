package dev.dispatcher.service.completion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.service.hooks.TaskRun;
import dev.dispatcher.service.log.RejectLog;
import dev.dispatcher.service.log.UntrustedText;
import dev.dispatcher.service.metrics.QueueWait;
import dev.dispatcher.service.pool.Completer;
import dev.dispatcher.service.pool.Outcome;
import dev.dispatcher.service.pool.Work;
import dev.dispatcher.service.storage.DurableTasks.Completion;
import dev.dispatcher.status.ClientNames;
import dev.dispatcher.wire.ResultNotices;
import dev.dispatcher.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * After a fire-and-forget run: what every run gets (the {@link FireAndForgetCompleter}), then, for a
 * task that records its runs ({@code @Task(record = true)}), its outcome as a finished row, handed
 * to the batched completion writer: completed with its result (as {@link ResultLimit} keeps it),
 * failed with its error entry, or cancelled. A message whose uuid is no uuid cannot have a row: it
 * is not recorded, logged (rate-limited) and counted.
 */
public final class RecordingCompleter implements Completer {

  /** The channel of a recorded run the daemon made itself (a schedule, an on-start task, a follow-up). */
  static final String LOCAL_CHANNEL = "(local)";

  private final Completer fireAndForget;
  private final Consumer<Completion> writer;
  private final ResultLimit results;
  private final ObjectMapper mapper;
  private final String nodeId;
  private final RejectLog rejects = new RejectLog(LoggerFactory.getLogger(RecordingCompleter.class), Level.WARN);
  private final AtomicLong unrecorded = new AtomicLong();

  /** @param writer the completion writer, which writes the rows in batches */
  public RecordingCompleter(Completer fireAndForget, Consumer<Completion> writer, ResultLimit results, ObjectMapper mapper, String nodeId) {
    this.fireAndForget = fireAndForget;
    this.writer = writer;
    this.results = results;
    this.mapper = mapper;
    this.nodeId = nodeId;
  }

  @Override
  public void completed(Work work, TaskRun run, Outcome outcome, Duration duration) {
    fireAndForget.completed(work, run, outcome, duration);
    if (work.task().definition().record()) {
      record(work, run, outcome);
    }
  }

  /** Runs of recording tasks that could not be recorded (their uuid is no uuid). */
  public long unrecorded() {
    return unrecorded.get();
  }

  private void record(Work work, TaskRun run, Outcome outcome) {
    String uuid = work.message().uuid();
    if (!ResultNotices.isUuid(uuid)) {
      unrecorded.incrementAndGet();
      rejects.reject("unrecordable", "task {} {} not recorded: its uuid is not a uuid, so it cannot have a row", UntrustedText.of(uuid),
          UntrustedText.of(work.message().task()));
      return;
    }
    Instant finished = Instant.now();
    String state;
    ResultLimit.Kept kept = ResultLimit.Kept.NONE;
    String error = null;
    switch (outcome) {
      case Outcome.Succeeded succeeded -> {
        state = "completed";
        kept = results.of(succeeded.result());
      }
      case Outcome.Failed failed -> {
        state = "failed";
        error = ErrorEntry.json(mapper, finished, 1, nodeId, "failed", failed.error());
      }
      case Outcome.TimedOut timedOut -> {
        state = "failed";
        error = ErrorEntry.json(mapper, finished, 1, nodeId, "timed_out", timedOut.error());
      }
      case Outcome.Cancelled cancelled -> state = "cancelled";
    }
    double waited = QueueWait.seconds(work.message().timePub(), run.startedAt());
    Instant created = Double.isNaN(waited) ? run.startedAt() : run.startedAt().minusNanos((long) (waited * 1e9));
    String channel = work.message().channel() == null ? LOCAL_CHANNEL : work.message().channel();
    writer.accept(new Completion.Recorded(uuid, work.message().task(), channel, client(work), state, created, run.startedAt(), nodeId,
        kept.json(), kept.bytes(), kept.omitted(), error));
  }

  /** The message's {@code client} when it is a valid one; else none (it came from the wire). */
  private static String client(Work work) {
    JsonNode client = work.message().raw().get(WireFormat.CLIENT);
    if (client == null || !client.isTextual()) {
      return null;
    }
    try {
      return ClientNames.check(client.asText());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
