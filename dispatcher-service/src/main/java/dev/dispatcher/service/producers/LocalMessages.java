package dev.dispatcher.service.producers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.service.config.DispatcherConfig;
import dev.dispatcher.service.message.MessageLimits;
import dev.dispatcher.service.message.TaskMessage;
import dev.dispatcher.service.message.TaskMessageReader;
import dev.dispatcher.wire.WireFormat;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Builds task messages for submissions written in config, as a publisher would have sent them. */
final class LocalMessages {

  private final ObjectMapper mapper;
  /** Config is trusted: no bound on delays or timeouts beyond being finite. */
  private final TaskMessageReader reader;

  LocalMessages(ObjectMapper mapper) {
    this.mapper = mapper;
    this.reader = new TaskMessageReader(mapper, MessageLimits.TRUSTED);
  }

  TaskMessage create(DispatcherConfig.Submission submission, String origin) {
    return create(submission, origin, Instant.now(), Map.of());
  }

  /**
   * A message published at {@code published}, with {@code origin} and further keys of its own
   * (e.g. {@code schedule_tick}); a new uuid each time.
   */
  TaskMessage create(DispatcherConfig.Submission submission, String origin, Instant published, Map<String, String> extra) {
    ObjectNode message = mapper.createObjectNode();
    message.put(WireFormat.UUID, UUID.randomUUID().toString());
    message.set(WireFormat.ARGS, mapper.valueToTree(submission.args()));
    message.set(WireFormat.KWARGS, mapper.valueToTree(submission.kwargs()));
    message.put(WireFormat.TASK, submission.task());
    message.put(WireFormat.TIME_PUB, published.getEpochSecond() + published.getNano() / 1e9);
    if (submission.timeout() != null && !submission.timeout().isZero()) {
      message.put(WireFormat.TIMEOUT, submission.timeout().toNanos() / 1e9);
    }
    if (submission.onDuplicate() != null) {
      message.put(WireFormat.ON_DUPLICATE, submission.onDuplicate().wireName());
    }
    message.put("origin", origin);
    extra.forEach(message::put);
    return reader.read(message, null, null);
  }
}
