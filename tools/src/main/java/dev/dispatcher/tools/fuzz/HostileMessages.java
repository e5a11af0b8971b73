package dev.dispatcher.tools.fuzz;

import dev.dispatcher.wire.WireFormat;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates hostile messages interleaved with valid demo tasks, for the adversarial suite (see
 * docs/reliability.md). The same seed, mix and targets give the same messages, except for the
 * {@code time_pub} values, which come from the clock.
 *
 * <p>Every payload stays under the {@value WireFormat#MAX_PAYLOAD_BYTES}-byte NOTIFY limit and
 * contains no NUL character (Postgres refuses both, and would fail the whole statement). Only
 * {@link Kind#VALID} and {@link Kind#VALID_CHUNKED} messages carry the uuid of a valid task; the
 * hostile ones may name valid uuids only as the target of a cancel. Not thread-safe.
 */
public final class HostileMessages {

  private final Mix mix;
  private final Context context;
  private final TaskAbuse tasks;
  private final ChunkAbuse chunks;
  private final ControlAbuse controls;

  public HostileMessages(long seed, Mix mix, Targets targets, Clock clock) {
    this.mix = mix;
    this.context = new Context(new SplittableRandom(seed), targets, clock);
    this.tasks = new TaskAbuse(context);
    this.chunks = new ChunkAbuse(context);
    this.controls = new ControlAbuse(context);
  }

  /** The next message, its kind drawn from the mix. */
  public FuzzMessage next() {
    Kind kind = mix.draw(context.random);
    FuzzMessage message = switch (kind) {
      case VALID -> {
        String uuid = context.nextValidUuid();
        yield new FuzzMessage(kind, List.of(tasks.valid(uuid)), uuid);
      }
      case VALID_CHUNKED -> {
        String uuid = context.nextValidUuid();
        yield new FuzzMessage(kind, chunks.validChunked(uuid), uuid);
      }
      case MALFORMED_JSON -> hostile(kind, tasks.malformedJson());
      case WRONG_TYPE -> hostile(kind, tasks.wrongType());
      case HUGE_NUMBER -> hostile(kind, tasks.hugeNumber());
      case DEEP_NESTING -> hostile(kind, tasks.deepNesting());
      case HUGE_STRING -> hostile(kind, tasks.hugeString());
      case CONTROL_CHARACTERS -> hostile(kind, tasks.controlCharacters());
      case CHUNK_HUGE_TOTAL -> new FuzzMessage(kind, chunks.hugeTotal(), null);
      case CHUNK_BAD_INDEX -> new FuzzMessage(kind, chunks.badIndex(), null);
      case CHUNK_CONFLICTING_TOTAL -> new FuzzMessage(kind, chunks.conflictingTotal(), null);
      case CHUNK_REUSED_ID -> new FuzzMessage(kind, chunks.reusedId(), null);
      case CHUNK_NEVER_COMPLETE -> new FuzzMessage(kind, chunks.neverComplete(), null);
      case CHUNK_AMPLIFICATION -> new FuzzMessage(kind, chunks.amplification(), null);
      case DELAY_FLOOD -> hostile(kind, tasks.delayFlood());
      case CONTROL_FLOOD -> hostile(kind, controls.flood());
      case REPLY_TO_ABUSE -> hostile(kind, controls.replyToAbuse());
      case ACTING_COMMAND -> hostile(kind, controls.acting());
    };
    for (String payload : message.payloads()) {
      check(kind, payload);
    }
    return message;
  }

  /** The next {@code count} messages. */
  public List<FuzzMessage> next(int count) {
    List<FuzzMessage> messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      messages.add(next());
    }
    return messages;
  }

  private static FuzzMessage hostile(Kind kind, String payload) {
    return new FuzzMessage(kind, List.of(payload), null);
  }

  /** A payload Postgres would refuse fails the whole statement it is in: that is a bug here, not a test of the daemon. */
  private static void check(Kind kind, String payload) {
    int bytes = Utf8.length(payload);
    if (bytes >= WireFormat.MAX_PAYLOAD_BYTES) {
      throw new IllegalStateException("generator bug: a " + kind.label() + " payload of " + bytes + " bytes");
    }
    if (payload.indexOf('\0') >= 0) {
      throw new IllegalStateException("generator bug: a " + kind.label() + " payload with a NUL character");
    }
  }
}
