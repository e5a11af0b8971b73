package dev.dispatcher.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The results channel's name and payloads: uuids separated by commas, split under Postgres's 8000 bytes. */
class ResultNoticesTest {

  private static List<String> uuids(int count) {
    List<String> uuids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      uuids.add(UUID.randomUUID().toString());
    }
    return uuids;
  }

  @Test
  void theChannelIsTheSchemasAndFitsIn63Bytes() {
    assertThat(ResultNotices.channel("dispatcher")).isEqualTo("dispatcher_results");
    String longest = "s".repeat(63);
    assertThat(ResultNotices.channel(longest)).hasSize(63).endsWith("_results");
    assertThat(ChannelNames.check(ResultNotices.channel(longest))).isNotNull();
  }

  @Test
  void payloadsHoldWholeUuidsUnder8000BytesInOrder() {
    List<String> uuids = uuids(1000);

    List<String> payloads = ResultNotices.payloads(uuids);

    assertThat(payloads).hasSize(5).allSatisfy(payload ->
        assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isLessThan(WireFormat.MAX_PAYLOAD_BYTES));
    assertThat(payloads.get(0).split(",")).hasSize(216); // 216 * 37 - 1 = 7991 bytes; 217 would be 8028
    List<String> back = new ArrayList<>();
    payloads.forEach(payload -> back.addAll(ResultNotices.uuids(payload)));
    assertThat(back).containsExactlyElementsOf(uuids);
    assertThat(ResultNotices.payloads(uuids(1))).hasSize(1);
    assertThat(ResultNotices.payloads(List.of())).isEmpty();
  }

  @Test
  void aPayloadFromAnyoneYieldsItsUuidsOnly() {
    String uuid = UUID.randomUUID().toString();
    assertThat(ResultNotices.uuids("junk," + uuid + ",,x" + uuid.substring(1) + "," + uuid.toUpperCase() + ",")).containsExactly(uuid,
        uuid.toUpperCase());
    assertThat(ResultNotices.uuids(null)).isEmpty();
    assertThat(ResultNotices.isUuid("12345678-1234-1234-1234-12345678901\u0663")).as("ASCII digits only").isFalse();
    assertThat(ResultNotices.isUuid("123456781234-1234-1234-1234567890123")).isFalse();
  }
}
