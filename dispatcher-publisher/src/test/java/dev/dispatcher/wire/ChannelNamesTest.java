package dev.dispatcher.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChannelNamesTest {

  @Test
  void nullAndEmptyAreRejected() {
    assertThatThrownBy(() -> ChannelNames.check(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> ChannelNames.check(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void sixtyThreeBytesAreAcceptedAndSixtyFourRejectedNamingTheChannel() {
    String max = "c".repeat(63);
    assertThat(ChannelNames.check(max)).isSameAs(max);

    String tooLong = "d".repeat(64);
    assertThatThrownBy(() -> ChannelNames.check(tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(tooLong)
        .hasMessageContaining("64");
  }

  @Test
  void lengthIsCountedInUtf8Bytes() {
    String fits = "é".repeat(31) + "a"; // 62 + 1 = 63 bytes, 32 chars
    assertThat(fits.getBytes(StandardCharsets.UTF_8)).hasSize(63);
    assertThat(ChannelNames.check(fits)).isEqualTo(fits);

    String over = "é".repeat(32); // 64 bytes but only 32 chars
    assertThatThrownBy(() -> ChannelNames.check(over))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(over);

    String emoji = "😀".repeat(16); // 64 bytes, 32 UTF-16 units
    assertThatThrownBy(() -> ChannelNames.check(emoji))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(emoji);
  }

  @Test
  void nulIsRejected() {
    assertThatThrownBy(() -> ChannelNames.check("a\0b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a\\0b");
  }

  @Test
  void quoteIdentifierWrapsAndDoublesQuotes() {
    assertThat(ChannelNames.quoteIdentifier("tasks")).isEqualTo("\"tasks\"");
    assertThat(ChannelNames.quoteIdentifier("Mixed Case")).isEqualTo("\"Mixed Case\"");
    assertThat(ChannelNames.quoteIdentifier("a\"b\"\"c")).isEqualTo("\"a\"\"b\"\"\"\"c\"");
  }

  @Test
  void quoteIdentifierChecksTheName() {
    assertThatThrownBy(() -> ChannelNames.quoteIdentifier("q".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChannelNames.quoteIdentifier(""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
