package dev.dispatcher.service.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.control.ControlSignature;
import dev.dispatcher.service.metrics.Refusal;
import dev.dispatcher.wire.WireFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Signed acting commands: good, bad, missing, replayed, expired, and signed for something else. */
class SignatureVerifierTest {

  private static final String SECRET = "a-shared-secret-of-32-characters!";
  private static final String CHANNEL = "tasks";
  private static final long T0 = 1_700_000_000L;

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final ControlSignature signature = new ControlSignature(SECRET);
  private final SettableClock clock = new SettableClock(T0);
  private final SignatureVerifier verifier = new SignatureVerifier(signature, Duration.ofSeconds(60), new NonceCache(100), clock, mapper);
  private int nonces;

  private ObjectNode message() {
    ObjectNode message = mapper.createObjectNode().put("control", "cancel").put("reply_to", "reply_to_" + "0".repeat(32));
    message.putObject("control_data").put("uuid", "abc").put("n", 1.5);
    return message;
  }

  private ObjectNode signed(ObjectNode message, long at) {
    return signature.sign(message, CHANNEL, at, String.format("nonce-%016d", nonces++));
  }

  private Verdict verify(ObjectNode message) {
    return verifier.verify("cancel", message, CHANNEL);
  }

  private static Refusal reason(Verdict verdict) {
    return verdict instanceof Verdict.Refused refused ? refused.reason() : null;
  }

  @Test
  void aGoodSignatureIsAccepted() {
    assertThat(verify(signed(message(), T0))).isInstanceOf(Verdict.Allowed.class);
    assertThat(verify(signed(message(), T0 - 60))).as("at the edge of the window").isInstanceOf(Verdict.Allowed.class);
    assertThat(verify(signed(message(), T0 + 60))).as("a clock slightly ahead").isInstanceOf(Verdict.Allowed.class);
  }

  @Test
  void aMissingSignatureIsUnsigned() {
    Verdict verdict = verify(message());

    assertThat(reason(verdict)).isEqualTo(Refusal.UNSIGNED);
    assertThat(((Verdict.Refused) verdict).message()).contains("must be signed").doesNotContain(SECRET);
    assertThat(reason(verify(message().putNull("signature")))).isEqualTo(Refusal.UNSIGNED);
  }

  @Test
  void aWrongSecretOrAChangedSignedTextDoesNotVerify() {
    ObjectNode forged = new ControlSignature("another-secret-of-32-characters!!").sign(message(), CHANNEL, T0, "nonce-forged-000001");
    assertThat(reason(verify(forged))).isEqualTo(Refusal.BAD_SIGNATURE);

    ObjectNode changed = signed(message(), T0);
    ObjectNode envelope = (ObjectNode) changed.get("signature");
    envelope.put("signed", envelope.get("signed").textValue().replace("\"abc\"", "\"xyz\""));
    assertThat(reason(verify(changed))).isEqualTo(Refusal.BAD_SIGNATURE);
  }

  @Test
  void malformedSignaturesAreBad() {
    for (String bad : new String[] {"\"text\"", "{}", "{\"signed\": \"x\"}", "{\"signed\": 1, \"hmac_sha256\": \"" + "0".repeat(64) + "\"}",
        "{\"signed\": \"x\", \"hmac_sha256\": \"zz\"}", "{\"signed\": \"x\", \"hmac_sha256\": \"" + "0".repeat(64) + "\"}"}) {
      ObjectNode message = message();
      try {
        message.set("signature", mapper.readTree(bad));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertThat(reason(verify(message))).as(bad).isEqualTo(Refusal.BAD_SIGNATURE);
    }
  }

  @Test
  void theMessageMustBeWhatWasSigned() {
    ObjectNode otherData = signed(message(), T0);
    ((ObjectNode) otherData.get("control_data")).put("uuid", "someone-else");
    assertThat(reason(verify(otherData))).as("control_data changed").isEqualTo(Refusal.BAD_SIGNATURE);

    ObjectNode otherReplyTo = signed(message(), T0).put("reply_to", "reply_to_" + "1".repeat(32));
    assertThat(reason(verify(otherReplyTo))).as("reply_to changed").isEqualTo(Refusal.BAD_SIGNATURE);

    ObjectNode noReplyTo = signed(message(), T0);
    noReplyTo.remove("reply_to");
    assertThat(reason(verify(noReplyTo))).as("reply_to removed").isEqualTo(Refusal.BAD_SIGNATURE);

    ObjectNode otherCommand = signed(message(), T0).put("control", "run");
    assertThat(reason(verifier.verify("run", otherCommand, CHANNEL))).as("command changed").isEqualTo(Refusal.BAD_SIGNATURE);

    assertThat(reason(verifier.verify("cancel", signed(message(), T0), "other_channel"))).as("sent to another channel")
        .isEqualTo(Refusal.BAD_SIGNATURE);
  }

  @Test
  void aReplayWithinTheWindowIsRefusedAndAfterItIsExpired() {
    ObjectNode once = signed(message(), T0);
    assertThat(verify(once.deepCopy())).isInstanceOf(Verdict.Allowed.class);

    assertThat(reason(verify(once.deepCopy()))).isEqualTo(Refusal.REPLAYED);
    clock.set(T0 + 60);
    assertThat(reason(verify(once.deepCopy()))).as("still inside the window").isEqualTo(Refusal.REPLAYED);
    clock.set(T0 + 61);
    assertThat(reason(verify(once.deepCopy()))).as("the nonce is forgotten only once the time check refuses it")
        .isEqualTo(Refusal.EXPIRED);
  }

  @Test
  void aSignatureOutsideTheWindowIsExpired() {
    assertThat(reason(verify(signed(message(), T0 - 61)))).isEqualTo(Refusal.EXPIRED);
    assertThat(reason(verify(signed(message(), T0 + 61)))).isEqualTo(Refusal.EXPIRED);
  }

  @Test
  void signedFieldsOfTheWrongShapeAreBad() {
    String[] texts = {
        "[1]",
        "{\"v\":2,\"channel\":\"tasks\",\"control\":\"cancel\",\"reply_to\":null,\"control_data\":{},\"ts\":" + T0 + ",\"nonce\":\"nnnnnnnnnnnnnnnn\"}",
        "{\"v\":1,\"channel\":\"tasks\",\"control\":\"cancel\",\"reply_to\":null,\"control_data\":{},\"ts\":1.7e9,\"nonce\":\"nnnnnnnnnnnnnnnn\"}",
        "{\"v\":1,\"channel\":\"tasks\",\"control\":\"cancel\",\"reply_to\":null,\"control_data\":{},\"ts\":" + T0 + ",\"nonce\":\"short\"}",
    };
    for (String text : texts) {
      ObjectNode message = mapper.createObjectNode().put("control", "cancel");
      message.putObject("control_data");
      message.putObject("signature").put("signed", text).put("hmac_sha256", signature.mac(text));
      assertThat(reason(verify(message))).as(text).isEqualTo(Refusal.BAD_SIGNATURE);
    }
  }

  @Test
  void whenTheNonceMemoryIsFullNewSignaturesAreRefusedNotOldNoncesForgotten() {
    SignatureVerifier small = new SignatureVerifier(signature, Duration.ofSeconds(60), new NonceCache(2), clock, mapper);
    ObjectNode first = signed(message(), T0);
    assertThat(small.verify("cancel", first.deepCopy(), CHANNEL)).isInstanceOf(Verdict.Allowed.class);
    assertThat(small.verify("cancel", signed(message(), T0), CHANNEL)).isInstanceOf(Verdict.Allowed.class);

    assertThat(reason(small.verify("cancel", signed(message(), T0), CHANNEL))).isEqualTo(Refusal.NONCE_LIMIT);
    assertThat(reason(small.verify("cancel", first.deepCopy(), CHANNEL))).isEqualTo(Refusal.REPLAYED);
    clock.set(T0 + 61);
    assertThat(small.verify("cancel", signed(message(), T0 + 61), CHANNEL)).as("room again once they expire")
        .isInstanceOf(Verdict.Allowed.class);
  }

  /** A clock whose second the test sets. */
  private static final class SettableClock extends Clock {
    private volatile long seconds;

    SettableClock(long seconds) {
      this.seconds = seconds;
    }

    void set(long value) {
      seconds = value;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochSecond(seconds);
    }
  }
}
