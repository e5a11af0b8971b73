package dev.dispatcher.service.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.control.ControlSignature;
import dev.dispatcher.service.metrics.Refusal;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Checks the signature of an acting control message (the scheme of {@link ControlSignature}): the
 * MAC first, then that the signed fields are the message's and the channel it arrived on, then
 * the time window, then that the nonce is new. Thread-safe.
 */
final class SignatureVerifier {

  private static final Pattern MAC_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");

  private final ControlSignature signature;
  private final long windowSeconds;
  private final NonceCache nonces;
  private final Clock clock;
  private final ObjectMapper mapper;

  SignatureVerifier(ControlSignature signature, Duration window, NonceCache nonces, Clock clock, ObjectMapper mapper) {
    this.signature = signature;
    this.windowSeconds = Math.max(1, window.toSeconds());
    this.nonces = nonces;
    this.clock = clock;
    this.mapper = mapper;
  }

  Verdict verify(String command, ObjectNode message, String channel) {
    JsonNode envelope = message.get(ControlSignature.KEY);
    if (envelope == null || envelope.isNull()) {
      return new Verdict.Refused(Refusal.UNSIGNED, "control command " + command + " must be signed: this daemon requires signed"
          + " acting commands (see \"Security\" in the README)");
    }
    JsonNode signedNode = envelope.get(ControlSignature.SIGNED);
    JsonNode macNode = envelope.get(ControlSignature.MAC);
    if (!envelope.isObject() || signedNode == null || !signedNode.isTextual() || macNode == null || !macNode.isTextual()
        || !MAC_HEX.matcher(macNode.textValue()).matches()) {
      return bad("malformed signature: expected {\"" + ControlSignature.SIGNED + "\": <JSON text>, \"" + ControlSignature.MAC
          + "\": <64 hex digits>}");
    }
    String signedText = signedNode.textValue();
    if (!signature.matches(signedText, macNode.textValue())) {
      return bad("the signature does not verify (wrong secret, or the signed text was changed)");
    }
    JsonNode signed;
    try {
      signed = mapper.readTree(signedText);
    } catch (JsonProcessingException e) {
      return bad("the signed text is not JSON");
    }
    if (signed == null || !signed.isObject()) {
      return bad("the signed text is not a JSON object");
    }
    if (!signed.path("v").isIntegralNumber() || signed.path("v").asLong() != ControlSignature.VERSION) {
      return bad("unsupported signature version (this daemon knows v" + ControlSignature.VERSION + ")");
    }
    if (!signed.path("channel").isTextual() || !signed.path("channel").textValue().equals(channel)) {
      return bad("the signature is for another channel");
    }
    if (!same(signed.get("control"), message.get("control"))
        || !same(orNull(signed.get("reply_to")), orNull(message.get("reply_to")))
        || !same(orEmpty(signed.get("control_data")), orEmpty(message.get("control_data")))) {
      return bad("the signed control, reply_to or control_data differ from the message's");
    }
    JsonNode ts = signed.get("ts");
    JsonNode nonce = signed.get("nonce");
    if (ts == null || !ts.isIntegralNumber() || !ts.canConvertToLong()) {
      return bad("the signed ts is not a whole number of Unix seconds");
    }
    if (nonce == null || !nonce.isTextual() || !NONCE.matcher(nonce.textValue()).matches()) {
      return bad("the signed nonce must be 16 to 64 characters of A-Z, a-z, 0-9, _ and -");
    }
    long now = clock.millis() / 1000;
    long signedAt = ts.longValue();
    if (signedAt < now - windowSeconds || signedAt > now + windowSeconds) {
      return new Verdict.Refused(Refusal.EXPIRED, "the signature was made at " + signedAt + ", more than " + windowSeconds
          + " s from this daemon's time " + now + " (control.signature_window; check the clocks)");
    }
    // expires one second after the window closes: until then the ts check above still passes
    return switch (nonces.remember(nonce.textValue(), signedAt + windowSeconds + 1, now)) {
      case NEW -> Verdict.ALLOWED;
      case SEEN -> new Verdict.Refused(Refusal.REPLAYED, "this signed message was already received (replayed nonce)");
      case FULL -> new Verdict.Refused(Refusal.NONCE_LIMIT, "too many signed commands within the signature window"
          + " (control.max_nonces); try again shortly");
    };
  }

  private static Verdict bad(String why) {
    return new Verdict.Refused(Refusal.BAD_SIGNATURE, "bad signature: " + why);
  }

  private static boolean same(JsonNode a, JsonNode b) {
    return a != null && a.equals(b);
  }

  private JsonNode orNull(JsonNode node) {
    return node == null ? mapper.nullNode() : node;
  }

  private JsonNode orEmpty(JsonNode node) {
    return node == null || node.isNull() ? mapper.createObjectNode() : node;
  }
}
