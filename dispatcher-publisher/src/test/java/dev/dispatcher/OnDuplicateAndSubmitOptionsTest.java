package dev.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OnDuplicateAndSubmitOptionsTest {

  @Test
  void wireNamesAreTheSpecsNames() {
    assertThat(OnDuplicate.PARALLEL.wireName()).isEqualTo("parallel");
    assertThat(OnDuplicate.DISCARD.wireName()).isEqualTo("discard");
    assertThat(OnDuplicate.SERIAL.wireName()).isEqualTo("serial");
    assertThat(OnDuplicate.QUEUE_ONE.wireName()).isEqualTo("queue_one");
  }

  @Test
  void fromWireRoundTrips() {
    for (OnDuplicate policy : OnDuplicate.values()) {
      assertThat(OnDuplicate.fromWire(policy.wireName())).isSameAs(policy);
    }
  }

  @Test
  void fromWireRejectsOtherSpellingsNamingTheValue() {
    for (String bad : new String[] {"QUEUE_ONE", "queue-one", "Serial", "", " discard", "sometimes"}) {
      assertThatThrownBy(() -> OnDuplicate.fromWire(bad))
          .as("'%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> OnDuplicate.fromWire(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
  }

  @Test
  void noneHasNoValues() {
    assertThat(SubmitOptions.NONE).isEqualTo(new SubmitOptions(null, null, null, null, null));
  }

  @Test
  void builderSetsEveryField() {
    SubmitOptions options = SubmitOptions.builder()
        .uuid("fixed-uuid")
        .channel("email")
        .delay(Duration.ofSeconds(5))
        .timeout(Duration.ofMillis(1500))
        .onDuplicate(OnDuplicate.DISCARD)
        .durable(true)
        .priority(-3)
        .maxAttempts(7)
        .build();
    assertThat(options).isEqualTo(new SubmitOptions(
        "fixed-uuid", "email", Duration.ofSeconds(5), Duration.ofMillis(1500), OnDuplicate.DISCARD, true, -3, 7));
  }

  @Test
  void theFiveValueConstructorLeavesTheDurableValuesToTheTask() {
    SubmitOptions options = new SubmitOptions("u", "email", null, null, OnDuplicate.DISCARD);

    assertThat(options.durable()).isNull();
    assertThat(options.priority()).isNull();
    assertThat(options.maxAttempts()).isNull();
    assertThat(SubmitOptions.NONE).isEqualTo(new SubmitOptions(null, null, null, null, null, null, null, null));
    assertThat(SubmitOptions.builder().durable(false).build().durable()).as("false is a choice, not the default").isFalse();
  }

  @Test
  void maxAttemptsOutOfRangeIsRejected() {
    for (int bad : new int[] {0, -1, 1001}) {
      assertThatThrownBy(() -> SubmitOptions.builder().maxAttempts(bad).build())
          .as("%d", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxAttempts must be from 1 to 1000: " + bad);
    }
    assertThat(SubmitOptions.builder().maxAttempts(1).build().maxAttempts()).isEqualTo(1);
    assertThat(SubmitOptions.builder().maxAttempts(1000).build().maxAttempts()).isEqualTo(1000);
  }

  @Test
  void zeroDurationsAreAllowed() {
    SubmitOptions options = SubmitOptions.builder().delay(Duration.ZERO).timeout(Duration.ZERO).build();
    assertThat(options.delay()).isZero();
    assertThat(options.timeout()).isZero();
  }

  @Test
  void blankUuidIsRejected() {
    for (String blank : new String[] {"", "   ", "\t"}) {
      assertThatThrownBy(() -> SubmitOptions.builder().uuid(blank).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("uuid");
    }
  }

  @Test
  void badChannelIsRejectedNamingIt() {
    String tooLong = "x".repeat(64);
    assertThatThrownBy(() -> SubmitOptions.builder().channel(tooLong).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(tooLong);
    assertThatThrownBy(() -> SubmitOptions.builder().channel("").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void negativeDurationsAreRejected() {
    assertThatThrownBy(() -> SubmitOptions.builder().delay(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delay");
    assertThatThrownBy(() -> SubmitOptions.builder().timeout(Duration.ofSeconds(-3)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }
}
