package dev.dispatcher.service.completion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.WireFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What of a result a row keeps: the rule of {@code durable.max_result_kib}. */
class ResultLimitTest {

  private final ObjectMapper mapper = WireFormat.newObjectMapper();

  @Test
  void aResultUpToTheLimitIsKeptWithItsSizeInUtf8Bytes() {
    ResultLimit limit = new ResultLimit(mapper, 1);
    String exactly = "é".repeat(511); // "…" with its quotes: 2 * 511 + 2 = 1024 bytes
    assertThat(limit.of(exactly)).isEqualTo(new ResultLimit.Kept("\"" + exactly + "\"", 1024, null));
    assertThat(limit.of(Map.of("k", List.of(1, 2)))).isEqualTo(new ResultLimit.Kept("{\"k\":[1,2]}", 11, null));
    assertThat(limit.of("\uD83D\uDE00").bytes()).as("a pair of surrogates is 4 bytes").isEqualTo(6);
    assertThat(limit.of(null)).isEqualTo(new ResultLimit.Kept(null, null, null));
  }

  @Test
  void aResultPastTheLimitIsNotKeptItsSizeAndWhyAre() {
    ResultLimit limit = new ResultLimit(mapper, 1);
    assertThat(limit.of("é".repeat(512))).isEqualTo(new ResultLimit.Kept(null, 1026,
        "1026 bytes of JSON, more than durable.max_result_kib (1 KiB)"));
    assertThat(new ResultLimit(mapper, 0).of(1).omitted()).as("0 keeps none").isEqualTo("1 bytes of JSON, more than durable.max_result_kib (0 KiB)");
  }

  @Test
  void aNulCharacterIsNotKeptButAnEscapedBackslashBeforeU0000Is() {
    ResultLimit limit = new ResultLimit(mapper, 64);
    assertThat(limit.of(List.of("ok", "a\u0000")).omitted()).contains("\\u0000");
    assertThat(limit.of("\\u0000").omitted()).as("a backslash, then the text u0000").isNull();
    assertThat(limit.of("\\\u0000").omitted()).as("a backslash, then a NUL").isNotNull();
  }

  @Test
  void aValueJacksonCannotWriteIsNotKept() {
    Object selfReferencing = new Object() {
      public Object getSelf() {
        return this;
      }
    };
    ResultLimit.Kept kept = new ResultLimit(mapper, 64).of(selfReferencing);
    assertThat(kept.json()).isNull();
    assertThat(kept.omitted()).startsWith("not JSON: ");
  }
}
