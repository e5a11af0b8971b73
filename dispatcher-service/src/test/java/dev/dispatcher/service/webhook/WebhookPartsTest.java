package dev.dispatcher.service.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay's pure parts: which targets it may call, how it signs, how it reads Retry-After. */
class WebhookPartsTest {

  private static List<InetAddress> at(String... literals) throws Exception {
    List<InetAddress> addresses = new java.util.ArrayList<>();
    for (String literal : literals) {
      addresses.add(InetAddress.getByName(literal));
    }
    return addresses;
  }

  @Test
  void withoutAnAllowListOnlyPublicAddressesMayBeCalled() throws Exception {
    TargetPolicy policy = new TargetPolicy(List.of());
    assertThat(policy.refusal("example.com", at("93.184.216.34"))).isNull();
    assertThat(policy.refusal("example.com", at("2606:2800:220:1:248:1893:25c8:1946"))).isNull();
    for (String inside : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1",
        "::1", "fe80::1", "fd00::1", "224.0.0.1")) {
      assertThat(policy.refusal("inside", at(inside))).as(inside).contains("not a public address");
    }
    assertThat(policy.refusal("mixed.example", at("93.184.216.34", "10.0.0.1"))).as("every address must pass").contains("10.0.0.1");
    assertThat(policy.refusal("nothing", List.of())).contains("resolves to no address");
  }

  @Test
  void anAllowListAdmitsWhatItListsOnlyPrivateRangesToo() throws Exception {
    TargetPolicy policy = new TargetPolicy(List.of("hooks.internal", "10.0.0.0/8", "127.0.0.1/32", "fd00::/8"));
    assertThat(policy.refusal("hooks.internal", at("192.168.5.5"))).as("a listed host, wherever it resolves").isNull();
    assertThat(policy.refusal("HOOKS.INTERNAL", at("192.168.5.5"))).isNull();
    assertThat(policy.refusal("svc", at("10.200.3.4"))).isNull();
    assertThat(policy.refusal("localhost", at("127.0.0.1"))).isNull();
    assertThat(policy.refusal("localhost", at("127.0.0.2"))).contains("not in webhooks.allow");
    assertThat(policy.refusal("v6", at("fd12::1"))).isNull();
    assertThat(policy.refusal("example.com", at("93.184.216.34"))).as("a public address not listed").contains("not in webhooks.allow");
    assertThatThrownBy(() -> new TargetPolicy(List.of("10.0.0.0/33"))).hasMessageContaining("prefix outside 0-32");
    assertThatThrownBy(() -> new TargetPolicy(List.of("host/8"))).hasMessageContaining("not a CIDR range");
  }

  @Test
  void signaturesFollowStandardWebhooks() {
    // the example of the Standard Webhooks specification
    WebhookSigner signer = new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assertThat(signer.signature("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"))
        .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    assertThat(new WebhookSigner("plain secret").signature("id", 1, "")).startsWith("v1,").hasSize(3 + 44);
  }

  @Test
  void retryAfterTakesSecondsOrADateAndAtMostAnHour() {
    assertThat(WebhookDelivery.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(WebhookDelivery.retryAfter("-5")).isEqualTo(Duration.ZERO);
    assertThat(WebhookDelivery.retryAfter("999999")).isEqualTo(Duration.ofHours(1));
    assertThat(WebhookDelivery.retryAfter(null)).isNull();
    assertThat(WebhookDelivery.retryAfter("soon")).isNull();
    String inAMinute = ZonedDateTime.now().plusSeconds(60).format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(WebhookDelivery.retryAfter(inAMinute)).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61));
  }
}
