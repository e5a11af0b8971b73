package dev.dispatcher.wire;

import static dev.dispatcher.wire.ChunkTexts.awkwardMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkAssemblerTest {

  private static final long SECOND = 1_000_000_000L;

  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final Tally results = new Tally();

  /** The results the assembler reported, added up. */
  private static final class Tally implements ChunkAssembler.Results {
    private final Map<ChunkAssembler.Result, Integer> counts = new EnumMap<>(ChunkAssembler.Result.class);

    @Override
    public void counted(ChunkAssembler.Result result, int messages) {
      counts.merge(result, messages, Integer::sum);
    }

    int count(ChunkAssembler.Result result) {
      return counts.getOrDefault(result, 0);
    }
  }

  private ObjectNode envelope(String id, int index, int total, String payload) {
    ObjectNode node = mapper.createObjectNode();
    node.put(Chunker.MARKER_KEY, Chunker.MARKER_VERSION);
    node.put("message_id", id);
    node.put("index", index);
    node.put("total", total);
    node.put("payload", payload);
    return node;
  }

  private List<JsonNode> realEnvelopes(String original) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String raw : new Chunker().split(original)) {
      nodes.add(mapper.readTree(raw));
    }
    return nodes;
  }

  @Test
  void shuffledPartsReassembleToTheOriginal() throws Exception {
    String original = awkwardMessage(20_000);
    List<JsonNode> parts = realEnvelopes(original);
    assertThat(parts).hasSizeGreaterThanOrEqualTo(3);
    Collections.shuffle(parts, new Random(42));
    ChunkAssembler assembler = new ChunkAssembler(30 * SECOND, 1_000_000, results);

    for (int i = 0; i < parts.size() - 1; i++) {
      assertThat(assembler.accept(parts.get(i), i)).isEmpty();
      assertThat(assembler.pendingMessages()).isEqualTo(1);
    }
    assertThat(assembler.accept(parts.get(parts.size() - 1), 99)).contains(original);

    assertThat(assembler.pendingMessages()).isZero();
    assertThat(assembler.bufferedBytes()).isZero();
    assertThat(results.count(ChunkAssembler.Result.COMPLETED)).isEqualTo(1);
    assertThat(results.count(ChunkAssembler.Result.INVALID)).isZero();
  }

  @Test
  void duplicatePartsAreIgnored() throws Exception {
    String original = awkwardMessage(20_000);
    List<JsonNode> parts = realEnvelopes(original);
    ChunkAssembler assembler = new ChunkAssembler(30 * SECOND, 1_000_000, results);

    assertThat(assembler.accept(parts.get(0), 0)).isEmpty();
    long afterFirst = assembler.bufferedBytes();
    assertThat(afterFirst).isPositive();
    assertThat(assembler.accept(parts.get(0), 1)).isEmpty();
    assertThat(assembler.bufferedBytes()).as("a duplicate buffers nothing").isEqualTo(afterFirst);

    Optional<String> result = Optional.empty();
    for (int i = 1; i < parts.size(); i++) {
      if (i < parts.size() - 1) {
        assertThat(assembler.accept(parts.get(i), 2)).isEmpty();
        assertThat(assembler.accept(parts.get(i), 3)).as("duplicate of part %d", i).isEmpty();
      } else {
        result = assembler.accept(parts.get(i), 4);
      }
    }
    assertThat(result).contains(original);
    assertThat(results.count(ChunkAssembler.Result.COMPLETED)).isEqualTo(1);
  }

  @Test
  void duplicateOfTheOnlyMissingPartDoesNotCompleteTwice() {
    ChunkAssembler assembler = new ChunkAssembler(30 * SECOND, 1_000_000, results);
    assertThat(assembler.accept(envelope("m", 0, 3, "ab"), 0)).isEmpty();
    assertThat(assembler.accept(envelope("m", 0, 3, "XX"), 0)).isEmpty(); // first copy wins
    assertThat(assembler.accept(envelope("m", 2, 3, "ef"), 0)).isEmpty();
    assertThat(assembler.accept(envelope("m", 1, 3, "cd"), 0)).contains("abcdef");
  }

  @Test
  void inconsistentTotalIsRejectedAndDropsThePartial() {
    ChunkAssembler assembler = new ChunkAssembler(30 * SECOND, 1_000_000, results);
    assertThat(assembler.accept(envelope("m1", 0, 3, "abc"), 0)).isEmpty();

    assertThatThrownBy(() -> assembler.accept(envelope("m1", 1, 4, "def"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m1")
        .hasMessageContaining("4")
        .hasMessageContaining("3");

    assertThat(results.count(ChunkAssembler.Result.INVALID)).isEqualTo(1);
    assertThat(assembler.pendingMessages()).isZero();
    assertThat(assembler.bufferedBytes()).isZero();
  }

  @Test
  void malformedEnvelopesAreRejected() {
    ChunkAssembler assembler = new ChunkAssembler(30 * SECOND, 1_000_000, results);
    ObjectNode badVersion = envelope("m", 0, 2, "x");
    badVersion.put(Chunker.MARKER_KEY, "v9");
    ObjectNode noPayload = envelope("m", 0, 2, "x");
    noPayload.remove("payload");
    ObjectNode textIndex = envelope("m", 0, 2, "x");
    textIndex.put("index", "0");

    for (ObjectNode bad : List.of(badVersion, noPayload, textIndex, envelope("m", 2, 2, "x"),
        envelope("m", -1, 2, "x"), envelope("m", 0, 0, "x"))) {
      assertThatThrownBy(() -> assembler.accept(bad, 0))
          .as("envelope %s", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(results.count(ChunkAssembler.Result.INVALID)).isEqualTo(6);
    assertThat(assembler.pendingMessages()).isZero();
  }

  @Test
  void expireDropsPartialsOlderThanTheTimeoutAndCountsThem() {
    ChunkAssembler assembler = new ChunkAssembler(10 * SECOND, 1_000_000, results);
    assembler.accept(envelope("a", 0, 2, "aaaa"), 1 * SECOND);
    assembler.accept(envelope("b", 0, 2, "bb"), 5 * SECOND);

    assertThat(assembler.expire(9 * SECOND)).isZero(); // a is 8s old
    assertThat(assembler.pendingMessages()).isEqualTo(2);
    assertThat(results.count(ChunkAssembler.Result.EXPIRED)).isZero();

    assertThat(assembler.expire(12 * SECOND)).isEqualTo(1); // a is 11s old, b 7s
    assertThat(assembler.pendingMessages()).isEqualTo(1);
    assertThat(assembler.bufferedBytes()).isEqualTo(held("b", "bb"));
    assertThat(results.count(ChunkAssembler.Result.EXPIRED)).isEqualTo(1);
    // a is gone: its last part starts a new partial instead of completing the old one
    assertThat(assembler.accept(envelope("a", 1, 2, "d"), 12 * SECOND)).isEmpty();

    assertThat(assembler.expire(15 * SECOND + 1)).isEqualTo(1); // b is just over 10s old; the new a is 3s
    assertThat(results.count(ChunkAssembler.Result.EXPIRED)).isEqualTo(2);
    assertThat(assembler.pendingMessages()).isEqualTo(1);
    assertThat(assembler.accept(envelope("b", 1, 2, "b"), 16 * SECOND)).isEmpty();
    assertThat(assembler.accept(envelope("a", 0, 2, "c"), 16 * SECOND)).contains("cd");
  }

  @Test
  void expiryAppliesToEveryOldPartialNotJustTheFirst() {
    ChunkAssembler assembler = new ChunkAssembler(10 * SECOND, 1_000_000, results);
    for (int i = 0; i < 5; i++) {
      assembler.accept(envelope("m" + i, 0, 2, "xyz"), i * SECOND);
    }
    assertThat(assembler.expire(13 * SECOND)).isEqualTo(4); // m0..m3 are 10s or older
    assertThat(assembler.pendingMessages()).isEqualTo(1);
    assertThat(assembler.bufferedBytes()).isEqualTo(held("m4", "xyz"));
    assertThat(results.count(ChunkAssembler.Result.EXPIRED)).isEqualTo(4);
  }

  /** What a partial with one part holds, as the assembler accounts it. */
  private static long held(String id, String part) {
    return ChunkAssembler.PARTIAL_OVERHEAD_BYTES + 2L * id.length() + ChunkAssembler.PART_OVERHEAD_BYTES + 2L * part.length();
  }

  @Test
  void byteBoundEvictsTheOldestPartialAndCountsIt() {
    String hundred = "x".repeat(100);
    long one = held("first", hundred); // "first", "second" and "third" differ in length: bound on the two longer ones
    ChunkAssembler assembler = new ChunkAssembler(60 * SECOND, held("second", hundred) * 2 + 1, results);
    assembler.accept(envelope("first", 0, 2, hundred), 0);
    assembler.accept(envelope("second", 0, 2, hundred), 1);
    assertThat(results.count(ChunkAssembler.Result.EVICTED_FOR_SPACE)).isZero();
    assertThat(assembler.bufferedBytes()).isEqualTo(one + held("second", hundred));

    assembler.accept(envelope("third", 0, 2, hundred), 2);

    assertThat(results.count(ChunkAssembler.Result.EVICTED_FOR_SPACE)).isEqualTo(1);
    assertThat(assembler.pendingMessages()).isEqualTo(2);
    assertThat(assembler.bufferedBytes()).isEqualTo(held("second", hundred) + held("third", hundred));
    // "second" survived and completes; "first" was evicted and does not
    assertThat(assembler.accept(envelope("second", 1, 2, "!"), 3)).contains(hundred + "!");
    assertThat(assembler.accept(envelope("first", 1, 2, "!"), 4)).isEmpty();
    assertThat(results.count(ChunkAssembler.Result.COMPLETED)).isEqualTo(1);
  }

  @Test
  void isChunkRecognisesOnlyTheMarker() throws Exception {
    assertThat(ChunkAssembler.isChunk(envelope("m", 0, 1, "x"))).isTrue();
    assertThat(ChunkAssembler.isChunk(mapper.readTree("{\"task\":\"t\"}"))).isFalse();
    assertThat(ChunkAssembler.isChunk(mapper.readTree("{\"__dispatcherd_chunk__\":1}"))).isFalse();
  }

  @Test
  void aHugeTotalIsRefusedWithoutAllocatingForIt() {
    ChunkAssembler assembler = new ChunkAssembler(30 * SECOND, 64L * 1024 * 1024, results);
    // the NOTIFY that once killed the dispatch thread with "Requested array size exceeds VM limit"
    assertThatThrownBy(() -> assembler.accept(envelope("m1", 0, Integer.MAX_VALUE, "x"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the " + assembler.maxParts() + " parts");
    assertThat(assembler.pendingMessages()).isZero();
    assertThat(results.count(ChunkAssembler.Result.INVALID)).isEqualTo(1);
  }

  @Test
  void aTotalThatFitsIsHeldByWhatArrivedNotByWhatItClaims() {
    ChunkAssembler assembler = new ChunkAssembler(30 * SECOND, 64L * 1024 * 1024, results);
    int claimed = assembler.maxParts();
    for (int i = 0; i < 32; i++) {
      assertThat(assembler.accept(envelope("m" + i, 0, claimed, "x".repeat(110)), 0)).isEmpty();
    }
    assertThat(assembler.pendingMessages()).isEqualTo(32);
    // ids m0..m9 are one character shorter than m10..m31
    assertThat(assembler.bufferedBytes()).isEqualTo(32 * held("m10", "x".repeat(110)) - 10 * 2);
  }

  @Test
  void manyTinyPartialsAreBoundedByTheirOverheadNotJustTheirText() {
    long bound = 100 * held("m00000", "x");
    ChunkAssembler assembler = new ChunkAssembler(30 * SECOND, bound, results);
    for (int i = 0; i < 10_000; i++) {
      assembler.accept(envelope(String.format("m%05d", i), 0, 2, "x"), 0);
    }
    assertThat(assembler.bufferedBytes()).isLessThanOrEqualTo(bound);
    assertThat(assembler.pendingMessages()).isEqualTo(100);
    assertThat(results.count(ChunkAssembler.Result.EVICTED_FOR_SPACE)).isEqualTo(9_900);
  }
}
