package dev.dispatcher.service.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.control.ControlSignature;
import dev.dispatcher.service.metrics.Refusal;
import dev.dispatcher.wire.ChannelNames;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may have the daemon do what over NOTIFY, which anyone who can connect to the database can
 * send. Read-only commands are always answered; an acting command only when {@code control.allow}
 * lists it and, with a control secret, only when it carries a valid signature. A {@code reply_to}
 * must look like a client's reply channel, so replies cannot be aimed at arbitrary channels.
 */
public final class ControlPolicy {

  /**
   * The reply channels of our Java client ({@code reply_to_<32 hex>}) and of dispatcherd's
   * ({@code reply_to_<uuid4, '-' written '_'>}), lower case.
   */
  public static final String DEFAULT_REPLY_TO_PATTERN =
      "reply_to_(?:[0-9a-f]{32}|[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12})";

  private final Set<Command> allowed;
  private final Pattern replyTo;
  private final SignatureVerifier verifier;

  private ControlPolicy(Set<Command> allowed, Pattern replyTo, SignatureVerifier verifier) {
    this.allowed = allowed.isEmpty() ? EnumSet.noneOf(Command.class) : EnumSet.copyOf(allowed);
    this.replyTo = replyTo;
    this.verifier = verifier;
  }

  /**
   * @param allowed the acting commands to carry out (read-only ones need not be listed)
   * @param replyTo what a {@code reply_to} must match, whole
   * @param signature the secret's signature scheme, or null to accept allowed acting commands unsigned
   * @param window how far a signature's time may be from this daemon's
   * @param maxNonces how many signed messages within the window are remembered (against replay)
   */
  public static ControlPolicy of(Set<Command> allowed, Pattern replyTo, ControlSignature signature, Duration window, int maxNonces,
      Clock clock, ObjectMapper mapper) {
    SignatureVerifier verifier = signature == null ? null
        : new SignatureVerifier(signature, window, new NonceCache(maxNonces), clock, mapper);
    return new ControlPolicy(allowed, replyTo, verifier);
  }

  /** Whether replies may be sent to this channel. */
  public boolean acceptsReplyTo(String channel) {
    try {
      ChannelNames.check(channel);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return replyTo.matcher(channel).matches();
  }

  /** The decision on a known command received on {@code channel}. */
  public Verdict check(Command command, ObjectNode message, String channel) {
    if (!command.acting()) {
      return Verdict.ALLOWED;
    }
    if (!allowed.contains(command)) {
      return new Verdict.Refused(Refusal.NOT_ALLOWED, "control command " + command.wireName()
          + " is not allowed on this daemon (control.allow lists the acting commands it carries out)");
    }
    return verifier == null ? Verdict.ALLOWED : verifier.verify(command.wireName(), message, channel);
  }

  /** True when acting commands must be signed. */
  public boolean requiresSignatures() {
    return verifier != null;
  }
}
