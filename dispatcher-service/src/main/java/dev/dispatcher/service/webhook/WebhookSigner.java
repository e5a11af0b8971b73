package dev.dispatcher.service.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a delivery the Standard Webhooks way: {@code webhook-signature: v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">}, keyed with the secret ({@code whsec_<base64>} is decoded, any other
 * text is taken as its UTF-8 bytes). The id is the task's uuid, the same on every attempt, so a
 * receiver can drop a delivery it has seen.
 */
final class WebhookSigner {

  private final byte[] key;

  WebhookSigner(String secret) {
    this.key = secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6)) : secret.getBytes(StandardCharsets.UTF_8);
  }

  String signature(String id, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
    }
  }
}
