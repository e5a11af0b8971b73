package dev.dispatcher.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 signature of a control message (version 1), shared by the clients that sign and
 * the daemon that checks. The wire contract, for implementations in other languages:
 *
 * <pre>{@code
 * {"control": "cancel", "reply_to": "reply_to_0f3c...", "control_data": {"uuid": "abc"},
 *  "signature": {
 *    "signed": "{\"v\":1,\"channel\":\"tasks\",\"control\":\"cancel\",\"reply_to\":\"reply_to_0f3c...\",
 *               \"control_data\":{\"uuid\":\"abc\"},\"ts\":1735689600,\"nonce\":\"9b1d...\"}",
 *    "hmac_sha256": "<64 hex digits>"}}
 * }</pre>
 *
 * <p>{@code signed} is a JSON text (any formatting) of an object with {@code v} = 1, the
 * {@code channel} the message is sent on, the message's {@code control}, {@code reply_to} (null
 * when there is none) and {@code control_data} (an object, {@code {}} when there is none),
 * {@code ts} (Unix time in whole seconds) and a fresh random {@code nonce} (16 to 64 characters of
 * {@code [A-Za-z0-9_-]}). {@code hmac_sha256} is HMAC-SHA256 keyed with the UTF-8 bytes of the
 * secret over the UTF-8 bytes of {@code signed}, in hexadecimal. Because the MAC covers the text
 * exactly as sent, no canonical JSON form is needed: the daemon checks the MAC first, then that
 * the fields in {@code signed} equal the message's (as parsed JSON values) and the channel it
 * arrived on, then the time window and that the nonce is new.
 *
 * <p>Thread-safe. The secret never appears in {@link #toString()}.
 */
public final class ControlSignature {

  /** The top-level key of a signed control message. */
  public static final String KEY = "signature";
  /** In {@link #KEY}: the signed JSON text. */
  public static final String SIGNED = "signed";
  /** In {@link #KEY}: the hexadecimal HMAC-SHA256 of {@link #SIGNED}. */
  public static final String MAC = "hmac_sha256";
  /** The version of the scheme, {@code v} in the signed text. */
  public static final int VERSION = 1;
  /** A secret shorter than this (in characters) is refused: HMAC-SHA256 wants 32 bytes or more. */
  public static final int MIN_SECRET_LENGTH = 32;

  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;
  private final ObjectMapper mapper = WireFormat.newObjectMapper();

  /**
   * @param secret the shared secret (at least {@value #MIN_SECRET_LENGTH} characters), e.g. the
   *     output of {@code openssl rand -hex 32}
   * @throws IllegalArgumentException when it is too short
   */
  public ControlSignature(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException("the control secret must have at least " + MIN_SECRET_LENGTH + " characters, it has "
          + secret.length() + " (e.g. use the output of `openssl rand -hex 32`)");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  /** The lower-case hexadecimal HMAC-SHA256 of the text's UTF-8 bytes. */
  public String mac(String signedText) {
    return HexFormat.of().formatHex(macBytes(signedText));
  }

  /** True when {@code macHex} (hexadecimal, either case) is the MAC of the text; compared in constant time. */
  public boolean matches(String signedText, String macHex) {
    byte[] given;
    try {
      given = HexFormat.of().parseHex(macHex);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(macBytes(signedText), given);
  }

  /**
   * A copy of a control message with its {@link #KEY} added.
   *
   * @param message the message as it will be sent: {@code control}, optional {@code reply_to}, {@code control_data}
   * @param channel the channel it will be sent on
   * @param epochSeconds the time of signing, Unix seconds
   * @param nonce a fresh random value, 16 to 64 characters of {@code [A-Za-z0-9_-]}
   */
  public ObjectNode sign(ObjectNode message, String channel, long epochSeconds, String nonce) {
    ObjectNode signed = mapper.createObjectNode();
    signed.put("v", VERSION);
    signed.put("channel", channel);
    signed.set("control", message.get(WireFormat.CONTROL));
    JsonNode replyTo = message.get("reply_to");
    signed.set("reply_to", replyTo == null ? mapper.nullNode() : replyTo);
    JsonNode data = message.get("control_data");
    signed.set("control_data", data == null || data.isNull() ? mapper.createObjectNode() : data);
    signed.put("ts", epochSeconds);
    signed.put("nonce", nonce);
    String text;
    try {
      text = mapper.writeValueAsString(signed);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("control message cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
    ObjectNode result = message.deepCopy();
    result.putObject(KEY).put(SIGNED, text).put(MAC, mac(text));
    return result;
  }

  private byte[] macBytes(String text) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM); // a Mac is not thread-safe; making one is cheap
      mac.init(key);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return "ControlSignature[HMAC-SHA256 v" + VERSION + ", secret hidden]";
  }
}
