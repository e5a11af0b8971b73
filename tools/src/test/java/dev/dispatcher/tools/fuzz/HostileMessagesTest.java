package dev.dispatcher.tools.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HostileMessagesTest {

  private static final Targets TARGETS = new Targets("t1", "fuzz_channel", "fuzz_victim");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
  private static final Pattern UUID_SHAPE = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private final ObjectMapper mapper = WireFormat.newObjectMapper();

  @Test
  void theSameSeedGivesTheSameMessagesAndAnotherSeedOthers() {
    List<FuzzMessage> first = new HostileMessages(42, Mix.standard(), TARGETS, CLOCK).next(2_000);
    List<FuzzMessage> again = new HostileMessages(42, Mix.standard(), TARGETS, CLOCK).next(2_000);
    List<FuzzMessage> other = new HostileMessages(43, Mix.standard(), TARGETS, CLOCK).next(2_000);

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void everyPayloadPassesThroughPgNotifyAndEveryKindComes() {
    for (long seed = 1; seed <= 3; seed++) {
      EnumSet<Kind> seen = EnumSet.noneOf(Kind.class);
      for (FuzzMessage message : new HostileMessages(seed, Mix.standard(), TARGETS, CLOCK).next(10_000)) {
        seen.add(message.kind());
        for (String payload : message.payloads()) {
          assertThat(payload.getBytes(StandardCharsets.UTF_8).length).as("%s payload", message.kind()).isLessThan(WireFormat.MAX_PAYLOAD_BYTES);
          assertThat(payload).doesNotContain("\0");
          assertThat(Utf8.length(payload)).isEqualTo(payload.getBytes(StandardCharsets.UTF_8).length);
        }
      }
      assertThat(seen).as("seed %d", seed).containsExactlyInAnyOrder(Kind.values());
    }
  }

  @Test
  void validMessagesAreRunnableDemoTasksWithUniqueUuidsThatHostileOnesOnlyNameInControlMessages() throws Exception {
    List<FuzzMessage> messages = new HostileMessages(7, Mix.standard(), TARGETS, CLOCK).next(15_000);
    Set<String> validUuids = new HashSet<>();
    ChunkAssembler assembler = new ChunkAssembler(Long.MAX_VALUE, Long.MAX_VALUE);
    for (FuzzMessage message : messages) {
      if (!message.kind().isValid()) {
        assertThat(message.validUuid()).isNull();
        continue;
      }
      assertThat(validUuids.add(message.validUuid())).as("uuid %s is new", message.validUuid()).isTrue();
      String whole = message.payloads().get(0);
      if (message.kind() == Kind.VALID_CHUNKED) {
        assertThat(message.payloads()).hasSizeGreaterThan(1);
        Optional<String> assembled = Optional.empty();
        for (String part : message.payloads()) {
          assembled = assembler.accept(mapper.readTree(part), 0);
        }
        whole = assembled.orElseThrow();
      }
      JsonNode task = mapper.readTree(whole);
      assertThat(task.get("uuid").asText()).isEqualTo(message.validUuid());
      assertThat(task.get("task").asText()).isIn(Context.SUM2, Context.HELLO, Context.INSERT_ROW);
      assertThat(task.has("delay")).isFalse();
    }
    assertThat(validUuids).hasSizeGreaterThan(1_200);

    for (FuzzMessage message : messages) {
      if (message.kind().isValid()) {
        continue;
      }
      for (String payload : message.payloads()) {
        if (UUID_SHAPE.matcher(payload).results().anyMatch(found -> validUuids.contains(found.group()))) {
          assertThat(message.kind()).isIn(Kind.CONTROL_FLOOD, Kind.ACTING_COMMAND);
          assertThat(payload).startsWith("{\"control\":");
        }
      }
    }
  }

  @Test
  void aMixWithoutAKindNeverDrawsIt() {
    Mix mix = Mix.standard().without(List.of(Kind.CHUNK_HUGE_TOTAL, Kind.VALID));
    List<Kind> kinds = new ArrayList<>();
    new HostileMessages(1, mix, TARGETS, CLOCK).next(5_000).forEach(message -> kinds.add(message.kind()));

    assertThat(kinds).doesNotContain(Kind.CHUNK_HUGE_TOTAL, Kind.VALID).contains(Kind.VALID_CHUNKED);
    assertThatThrownBy(() -> Mix.standard().without(List.of(Kind.values()))).isInstanceOf(IllegalArgumentException.class);
    assertThat(Kind.fromLabel("chunk_huge_total")).isEqualTo(Kind.CHUNK_HUGE_TOTAL);
  }
}
