package dev.dispatcher.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The control section: the allow-list, the bounds, and the secret that comes only from the environment. */
class ControlConfigTest {

  private static final String BASE = """
      database:
        url: postgresql://app@db/app
      channels: [tasks]
      """;
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static DispatcherConfig parse(String yaml, Map<String, String> env) {
    return new ConfigLoader(env).parse(new StringReader(BASE + yaml), "test.yml");
  }

  private static ConfigException failure(String yaml, Map<String, String> env) {
    return catchThrowableOfType(ConfigException.class, () -> parse(yaml, env));
  }

  @Test
  void byDefaultNoActingCommandIsAllowedAndNothingIsSigned() {
    DispatcherConfig.Control control = parse("", Map.of()).control();

    assertThat(control).isEqualTo(DispatcherConfig.Control.DEFAULT);
    assertThat(control.allow()).isEmpty();
    assertThat(control.secret()).isNull();
    assertThat(control.maxReplyEntries()).isEqualTo(1000);
    assertThat(control.maxReplyBytes()).isEqualTo(1024 * 1024);
    assertThat(control.maxHandlers()).isEqualTo(4);
    assertThat(control.maxBusyReplies()).isEqualTo(16);
    assertThat(control.signatureWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(control.maxNonces()).isEqualTo(10_000);
  }

  @Test
  void everyKeyIsRead() {
    DispatcherConfig.Control control = parse("""
        control:
          allow: [cancel, run, set_log_level]
          reply_to_pattern: "ops_[a-z]+"
          max_reply_entries: 50
          max_reply_kib: 128
          max_handlers: 2
          max_busy_replies: 0
          signature_window: 30s
          max_nonces: 500
        """, Map.of("DISPATCHER_CONTROL_SECRET", SECRET)).control();

    assertThat(control.allow()).containsExactly("cancel", "run", "set_log_level");
    assertThat(control.replyToPattern()).isEqualTo("ops_[a-z]+");
    assertThat(control.maxReplyEntries()).isEqualTo(50);
    assertThat(control.maxReplyBytes()).isEqualTo(128 * 1024);
    assertThat(control.maxHandlers()).isEqualTo(2);
    assertThat(control.maxBusyReplies()).isZero();
    assertThat(control.signatureWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(control.maxNonces()).isEqualTo(500);
    assertThat(control.secret()).isEqualTo(SECRET);
    assertThat(control.toString()).doesNotContain(SECRET).contains("secret=(hidden)");
  }

  @Test
  void anUnknownOrReadOnlyCommandInTheAllowListNamesTheKey() {
    assertThat(failure("control:\n  allow: [cancel, reboot]\n", Map.of()).getMessage())
        .startsWith("control.allow[1]: unknown acting command 'reboot'").contains("cancel, set_log_level, run");
    assertThat(failure("control:\n  allow: [status]\n", Map.of()).getMessage())
        .startsWith("control.allow[0]: 'status' is read-only and always answered");
    assertThat(failure("control:\n  allow: cancel\n", Map.of()).getMessage()).startsWith("control.allow: expected a list");
  }

  @Test
  void theSecretIsNeverReadFromTheFile() {
    ConfigException error = failure("control:\n  secret: " + SECRET + "\n", Map.of());

    assertThat(error.getMessage()).startsWith("control.secret: ").contains("DISPATCHER_CONTROL_SECRET").doesNotContain(SECRET);
  }

  @Test
  void aBlankOrShortSecretInTheEnvironmentIsAnErrorThatDoesNotShowIt() {
    assertThat(failure("", Map.of("DISPATCHER_CONTROL_SECRET", " ")).getMessage()).startsWith("DISPATCHER_CONTROL_SECRET: is set but empty");
    assertThat(failure("", Map.of("DISPATCHER_CONTROL_SECRET", "tooshort-secret")).getMessage())
        .startsWith("DISPATCHER_CONTROL_SECRET: ").contains("at least 32 characters").doesNotContain("tooshort-secret");
  }

  @Test
  void badValuesNameTheirKeys() {
    assertThat(failure("control:\n  reply_to_pattern: \"reply_to_(\"\n", Map.of()).getMessage())
        .startsWith("control.reply_to_pattern: not a valid regular expression");
    assertThat(failure("control:\n  max_reply_entries: 0\n", Map.of()).getMessage()).startsWith("control.max_reply_entries: must be between");
    assertThat(failure("control:\n  max_reply_kib: 65537\n", Map.of()).getMessage()).startsWith("control.max_reply_kib: must be between");
    assertThat(failure("control:\n  max_handlers: 0\n", Map.of()).getMessage()).startsWith("control.max_handlers: must be between");
    assertThat(failure("control:\n  max_busy_replies: -1\n", Map.of()).getMessage()).startsWith("control.max_busy_replies: must be between");
    assertThat(failure("control:\n  signature_window: 2h\n", Map.of()).getMessage()).startsWith("control.signature_window: must be between");
    assertThat(failure("control:\n  max_nonces: 1\n", Map.of()).getMessage()).startsWith("control.max_nonces: must be between");
    assertThat(failure("control:\n  alow: [cancel]\n", Map.of()).getMessage()).startsWith("control.alow: unknown key");
  }

  @Test
  void theDemoConfigAllowsEveryActingCommand() {
    DispatcherConfig demo = new ConfigLoader(Map.of()).load(Path.of("../dispatcher.yml"));

    assertThat(demo.control().allow()).containsExactlyInAnyOrderElementsOf(dev.dispatcher.service.control.Command.actingNames());
  }
}
