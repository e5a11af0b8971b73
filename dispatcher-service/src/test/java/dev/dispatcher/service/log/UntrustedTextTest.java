package dev.dispatcher.service.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class UntrustedTextTest {

  @Test
  void plainTextIsReturnedAsIs() {
    String name = "app.tasks.resize_image";
    assertThat(UntrustedText.of(name)).isSameAs(name);
  }

  @Test
  void newlinesAndTerminalSequencesBecomeEscapes() {
    assertThat(UntrustedText.of("x\n2026-12-01 ERROR forged\r\u001b[31m\u0000\u2028\u0085"))
        .isEqualTo("x\\n2026-12-01 ERROR forged\\r\\u001b[31m\\u0000\\u2028\\u0085")
        .doesNotContain("\n", "\r", "\u001b", "\u0000");
  }

  @Test
  void longTextIsCutAndTheRestCounted() {
    String name = "a".repeat(7_000);
    String shown = UntrustedText.of(name);
    assertThat(shown).startsWith("a".repeat(UntrustedText.DEFAULT_LIMIT)).endsWith("...(6800 more chars)");
    assertThat(shown.length()).isLessThan(UntrustedText.DEFAULT_LIMIT + 30);
  }

  @Test
  void escapesInTheCutPartAreStillEscaped() {
    assertThat(UntrustedText.of("\n".repeat(10), 3)).isEqualTo("\\n\\n\\n...(7 more chars)");
  }

  @Test
  void nullIsWrittenAsNull() {
    assertThat(UntrustedText.of(null)).isEqualTo("null");
  }

  @Test
  void theTextLogConverterKeepsAMessageOnOneLine() {
    LoggingEvent event = new LoggingEvent("test", new LoggerContext().getLogger("test"), Level.WARN,
        "dropped task {}: unknown", null, new Object[] {"evil\nERROR forged"});
    EscapedMessageConverter converter = new EscapedMessageConverter();
    assertThat(converter.convert(event)).isEqualTo("dropped task evil\\nERROR forged: unknown");
  }
}
