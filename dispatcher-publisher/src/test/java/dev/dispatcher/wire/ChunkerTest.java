package dev.dispatcher.wire;

import static dev.dispatcher.wire.ChunkTexts.assertCutOutsideEscapes;
import static dev.dispatcher.wire.ChunkTexts.assertNoLoneSurrogates;
import static dev.dispatcher.wire.ChunkTexts.awkwardMessage;
import static dev.dispatcher.wire.ChunkTexts.parseEnvelope;
import static dev.dispatcher.wire.ChunkTexts.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.ChunkTexts.Envelope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkerTest {

  private final ObjectMapper mapper = WireFormat.newObjectMapper();

  @Test
  void textUnderTheLimitIsSentAsItIs() {
    String small = "{\"uuid\":\"u\",\"task\":\"t\",\"args\":[\"é😀\"]}";
    Chunker chunker = new Chunker();

    assertThat(chunker.needsChunking(small)).isFalse();
    List<String> parts = chunker.split(small);
    assertThat(parts).hasSize(1);
    assertThat(parts.get(0)).isSameAs(small);
  }

  @Test
  void limitIsCountedInUtf8BytesNot16BitUnits() {
    Chunker chunker = new Chunker();
    // 7999 bytes passes pg_notify; 8000 does not. "é" is 2 bytes but 1 char.
    String justUnder = "\"" + "é".repeat(3998) + "\""; // 2 + 7996 = 7998 bytes
    String oneMore = justUnder + " ";                   // 7999 bytes
    String atLimit = oneMore + " ";                     // 8000 bytes
    assertThat(utf8(oneMore)).isEqualTo(7999);
    assertThat(utf8(atLimit)).isEqualTo(8000);
    assertThat(atLimit.length()).isLessThan(8000 / 2 + 10);

    assertThat(chunker.split(justUnder)).containsExactly(justUnder);
    assertThat(chunker.split(oneMore)).containsExactly(oneMore);
    assertThat(chunker.needsChunking(atLimit)).isTrue();
    assertThat(chunker.split(atLimit)).hasSizeGreaterThan(1);
  }

  @Test
  void largeAwkwardMessageSplitsIntoCompactOrderedEnvelopesUnderTheLimit() throws Exception {
    String original = awkwardMessage(20_000);
    assertThat(utf8(original)).isBetween(20_000, 30_000);
    assertThat(original).contains("\\\"", "\\\\", "\\n", "\\t", "\\u0001", "é", "😀");

    List<String> envelopes = new Chunker().split(original);

    assertThat(envelopes).hasSizeBetween(3, 5);
    List<Envelope> parsed = new ArrayList<>();
    for (String raw : envelopes) {
      assertThat(utf8(raw)).as("envelope size").isLessThan(WireFormat.MAX_PAYLOAD_BYTES);
      assertThat(raw).startsWith("{\"__dispatcherd_chunk__\":\"v1\",\"message_id\":\"");
      parsed.add(parseEnvelope(mapper, raw));
    }
    String messageId = parsed.get(0).messageId();
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < parsed.size(); i++) {
      Envelope envelope = parsed.get(i);
      assertThat(envelope.messageId()).isEqualTo(messageId);
      assertThat(envelope.index()).isEqualTo(i);
      assertThat(envelope.total()).isEqualTo(parsed.size());
      assertThat(envelope.payload()).isNotEmpty();
      if (i < parsed.size() - 1) {
        // greedy: a part is not cut far short of the limit
        assertThat(utf8(envelope.raw())).as("envelope %d is nearly full", i).isGreaterThan(7_800);
      }
      joined.append(envelope.payload());
    }
    assertThat(joined.toString()).isEqualTo(original);
  }

  @Test
  void cutsNeverSplitSurrogatePairsOrJsonEscapes() throws Exception {
    String original = awkwardMessage(20_000);
    for (Chunker chunker : List.of(new Chunker(), new Chunker(200), new Chunker(257), new Chunker(311))) {
      List<String> envelopes = chunker.split(original);
      int cut = 0;
      for (String raw : envelopes) {
        String payload = parseEnvelope(mapper, raw).payload();
        assertNoLoneSurrogates(payload);
        cut += payload.length();
        assertCutOutsideEscapes(original, cut);
        // the payload is a run of whole escapes: an odd run of trailing backslashes would be half of one
        int trailing = 0;
        for (int k = payload.length() - 1; k >= 0 && payload.charAt(k) == '\\'; k--) {
          trailing++;
        }
        assertThat(trailing % 2).as("trailing backslashes of a payload").isZero();
      }
      assertThat(cut).isEqualTo(original.length());
    }
  }

  @Test
  void smallEnvelopesGiveManyPartsThatRoundTripThroughTheAssembler() throws Exception {
    String original = awkwardMessage(20_000);
    Chunker chunker = new Chunker(200);

    List<String> envelopes = chunker.split(original);

    assertThat(envelopes.size()).isGreaterThan(200);
    for (String raw : envelopes) {
      assertThat(utf8(raw)).isLessThanOrEqualTo(200);
    }
    List<String> shuffled = new ArrayList<>(envelopes);
    Collections.shuffle(shuffled, new Random(7));
    ChunkAssembler assembler = new ChunkAssembler(60_000_000_000L, 10_000_000);
    Optional<String> result = Optional.empty();
    for (int i = 0; i < shuffled.size(); i++) {
      result = assembler.accept(mapper.readTree(shuffled.get(i)), i);
      assertThat(result.isPresent()).as("complete after part %d of %d", i + 1, shuffled.size())
          .isEqualTo(i == shuffled.size() - 1);
    }
    assertThat(result).contains(original);
    assertThat(assembler.pendingMessages()).isZero();
    assertThat(assembler.bufferedBytes()).isZero();
  }

  @Test
  void eachSplitGetsItsOwnMessageId() throws Exception {
    String original = awkwardMessage(9_000);
    Chunker chunker = new Chunker();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      JsonNode first = mapper.readTree(chunker.split(original).get(0));
      ids.add(first.get("message_id").textValue());
    }
    assertThat(ids).hasSize(5);
  }

  @Test
  void tooSmallEnvelopeSizeIsRejected() {
    assertThatThrownBy(() -> new Chunker(199))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("199");
    new Chunker(200); // the documented minimum is accepted
  }
}
