package dev.dispatcher.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.wire.WireFormat;
import org.junit.jupiter.api.Test;

/** The signature scheme as other implementations must reproduce it. */
class ControlSignatureTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final ControlSignature signature = new ControlSignature(SECRET);

  @Test
  void theMacOfTheReadmeVectorIsHmacSha256OfTheUtf8Text() {
    // the same vector is in README.md ("Signed control messages"); computed with Python's hmac module
    String signed = "{\"v\":1,\"channel\":\"tasks\",\"control\":\"cancel\",\"reply_to\":null,\"control_data\":{\"uuid\":\"abc\"},"
        + "\"ts\":1735689600,\"nonce\":\"00112233445566778899aabbccddeeff\"}";

    assertThat(signature.mac(signed)).isEqualTo("c66612089011ef6ed42e798c9f865bf622594f1d9ce2c25fd892f4edaa23074c");
    assertThat(signature.matches(signed, "C66612089011EF6ED42E798C9F865BF622594F1D9CE2C25FD892F4EDAA23074C")).isTrue();
    assertThat(signature.matches(signed + " ", "c66612089011ef6ed42e798c9f865bf622594f1d9ce2c25fd892f4edaa23074c")).isFalse();
    assertThat(signature.matches(signed, "not hex")).isFalse();
    assertThat(new ControlSignature("x".repeat(32)).matches(signed, signature.mac(signed))).as("another secret").isFalse();
  }

  @Test
  void signingAddsTheSignedFieldsAndAMacOverThem() throws Exception {
    ObjectNode message = mapper.createObjectNode().put("control", "run").put("reply_to", "reply_to_abc");
    message.putObject("control_data").put("task", "app.x").putArray("args").add(1).add("two");

    ObjectNode signedMessage = signature.sign(message, "tasks", 1_700_000_000L, "nonce-0123456789ab");

    assertThat(message.has(ControlSignature.KEY)).as("the original is not changed").isFalse();
    JsonNode envelope = signedMessage.get("signature");
    String text = envelope.get("signed").textValue();
    assertThat(envelope.get("hmac_sha256").textValue()).isEqualTo(signature.mac(text)).matches("[0-9a-f]{64}");
    JsonNode fields = mapper.readTree(text);
    assertThat(fields.get("v").intValue()).isEqualTo(1);
    assertThat(fields.get("channel").textValue()).isEqualTo("tasks");
    assertThat(fields.get("control")).isEqualTo(message.get("control"));
    assertThat(fields.get("reply_to")).isEqualTo(message.get("reply_to"));
    assertThat(fields.get("control_data")).isEqualTo(message.get("control_data"));
    assertThat(fields.get("ts").longValue()).isEqualTo(1_700_000_000L);
    assertThat(fields.get("nonce").textValue()).isEqualTo("nonce-0123456789ab");
  }

  @Test
  void withoutReplyToOrDataTheSignedFieldsAreNullAndAnEmptyObject() throws Exception {
    ObjectNode message = mapper.createObjectNode().put("control", "cancel");

    JsonNode fields = mapper.readTree(signature.sign(message, "t", 1, "n".repeat(16)).get("signature").get("signed").textValue());

    assertThat(fields.get("reply_to").isNull()).isTrue();
    assertThat(fields.get("control_data").isObject()).isTrue();
    assertThat(fields.get("control_data").size()).isZero();
  }

  @Test
  void aShortSecretIsRefusedAndTheSecretIsNeverShown() {
    assertThatThrownBy(() -> new ControlSignature("short")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32 characters").hasMessageNotContaining("short");
    assertThat(signature.toString()).doesNotContain(SECRET);
  }
}
