package dev.dispatcher.service.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatcher.control.ControlSignature;
import dev.dispatcher.service.metrics.Refusal;
import dev.dispatcher.wire.WireFormat;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Which commands run: read-only always, acting ones when allowed (and signed, with a secret); which reply channels are taken. */
class ControlPolicyTest {

  private static final Pattern DEFAULT_REPLY_TO = Pattern.compile(ControlPolicy.DEFAULT_REPLY_TO_PATTERN);
  private final ObjectMapper mapper = WireFormat.newObjectMapper();

  private ControlPolicy policy(Set<Command> allowed, ControlSignature signature) {
    return ControlPolicy.of(allowed, DEFAULT_REPLY_TO, signature, Duration.ofSeconds(60), 100, Clock.systemUTC(), mapper);
  }

  private ObjectNode message(Command command) {
    ObjectNode message = mapper.createObjectNode().put("control", command.wireName());
    message.putObject("control_data");
    return message;
  }

  @Test
  void theCommandsAreSplitIntoReadOnlyAndActing() {
    assertThat(Command.actingNames()).containsExactly("cancel", "set_log_level", "run", "suspend", "resume");
    assertThat(Command.names()).containsExactly("alive", "aio_tasks", "running", "cancel", "workers", "producers", "main", "chunks", "metrics",
        "status", "set_log_level", "run", "suspend", "resume");
  }

  @Test
  void byDefaultReadOnlyCommandsRunAndActingOnesAreRefused() {
    ControlPolicy policy = policy(Set.of(), null);

    for (Command command : Command.values()) {
      Verdict verdict = policy.check(command, message(command), "tasks");
      if (command.acting()) {
        assertThat(verdict).as(command.wireName()).isInstanceOfSatisfying(Verdict.Refused.class, refused -> {
          assertThat(refused.reason()).isEqualTo(Refusal.NOT_ALLOWED);
          assertThat(refused.message()).contains(command.wireName(), "control.allow");
        });
      } else {
        assertThat(verdict).as(command.wireName()).isInstanceOf(Verdict.Allowed.class);
      }
    }
  }

  @Test
  void anAllowedActingCommandRunsAndTheOthersStayRefused() {
    ControlPolicy policy = policy(EnumSet.of(Command.CANCEL), null);

    assertThat(policy.check(Command.CANCEL, message(Command.CANCEL), "tasks")).isInstanceOf(Verdict.Allowed.class);
    assertThat(policy.check(Command.RUN, message(Command.RUN), "tasks")).isInstanceOf(Verdict.Refused.class);
    assertThat(policy.requiresSignatures()).isFalse();
  }

  @Test
  void withASecretAllowedActingCommandsMustBeSignedAndReadOnlyOnesNeedNot() {
    ControlSignature signature = new ControlSignature("s".repeat(32));
    ControlPolicy policy = policy(EnumSet.of(Command.CANCEL), signature);

    assertThat(policy.check(Command.CANCEL, message(Command.CANCEL), "tasks"))
        .isInstanceOfSatisfying(Verdict.Refused.class, refused -> assertThat(refused.reason()).isEqualTo(Refusal.UNSIGNED));
    ObjectNode signed = signature.sign(message(Command.CANCEL), "tasks", Clock.systemUTC().millis() / 1000, "n".repeat(20));
    assertThat(policy.check(Command.CANCEL, signed, "tasks")).isInstanceOf(Verdict.Allowed.class);
    assertThat(policy.check(Command.STATUS, message(Command.STATUS), "tasks")).isInstanceOf(Verdict.Allowed.class);
    assertThat(policy.check(Command.RUN, signature.sign(message(Command.RUN), "tasks", Clock.systemUTC().millis() / 1000, "m".repeat(20)),
        "tasks")).as("signed but not allowed").isInstanceOf(Verdict.Refused.class);
  }

  @Test
  void theDefaultReplyToPatternTakesTheJavaAndTheDispatcherdClientsChannels() {
    ControlPolicy policy = policy(Set.of(), null);
    String uuid = UUID.randomUUID().toString();

    assertThat(policy.acceptsReplyTo("reply_to_" + uuid.replace("-", ""))).as("ControlClient").isTrue();
    assertThat(policy.acceptsReplyTo("reply_to_" + uuid.replace("-", "_"))).as("dispatcherd").isTrue();
    for (String other : new String[] {"tasks", "reply_to_", "reply_to_abc", "reply_to_" + uuid, "REPLY_TO_" + uuid.replace("-", ""),
        "reply_to_" + uuid.replace("-", "").toUpperCase(), "reply_to_" + uuid.replace("-", "") + "x",
        "x_reply_to_" + uuid.replace("-", ""), "reply_to_" + uuid.replace("-", "").substring(1) + "\n"}) {
      assertThat(policy.acceptsReplyTo(other)).as(other).isFalse();
    }
  }

  @Test
  void aConfiguredReplyToPatternMustMatchWholeAndAChannelMustStillBeValid() {
    ControlPolicy policy = ControlPolicy.of(Set.of(), Pattern.compile("ops_.*"), null, Duration.ofSeconds(60), 100, Clock.systemUTC(),
        mapper);

    assertThat(policy.acceptsReplyTo("ops_replies")).isTrue();
    assertThat(policy.acceptsReplyTo("x_ops_replies")).isFalse();
    assertThat(policy.acceptsReplyTo("ops_" + "x".repeat(70))).as("longer than Postgres allows").isFalse();
  }
}
