package dev.dispatcher.service.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatcher.wire.WireFormat;
import org.junit.jupiter.api.Test;

class DuplicateKeyTest {

  private final ObjectMapper mapper = WireFormat.newObjectMapper();

  private JsonNode json(String text) throws Exception {
    return mapper.readTree(text);
  }

  @Test
  void equalTaskArgsAndKwargsMakeEqualKeysWhateverTheOrderOfTheKwargs() throws Exception {
    DuplicateKey one = new DuplicateKey("t", json("[1, {\"a\": [true, null]}]"), json("{\"x\": 1, \"y\": \"z\"}"));
    DuplicateKey same = new DuplicateKey("t", json("[1, {\"a\": [true, null]}]"), json("{\"y\": \"z\", \"x\": 1}"));

    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);
  }

  @Test
  void anotherTaskOrOtherArgumentsMakeAnotherKey() throws Exception {
    DuplicateKey key = new DuplicateKey("t", json("[1]"), json("{\"x\": 1}"));

    assertThat(key).isNotEqualTo(new DuplicateKey("u", json("[1]"), json("{\"x\": 1}")))
        .isNotEqualTo(new DuplicateKey("t", json("[2]"), json("{\"x\": 1}")))
        .isNotEqualTo(new DuplicateKey("t", json("[1]"), json("{\"x\": 2}")))
        .isNotEqualTo(new DuplicateKey("t", json("[[1]]"), json("{\"x\": 1}")));
  }

  @Test
  void aWorkComputesItsKeyOnceWhenItIsMade() {
    Work work = TestWork.parallel("a", 7);

    assertThat(work.duplicateKey()).as("the same key every time, hashed once").isSameAs(work.duplicateKey());
    assertThat(work.duplicateKey()).isEqualTo(TestWork.of("b", "serial", 7).duplicateKey())
        .isNotEqualTo(TestWork.parallel("c", 8).duplicateKey());
  }
}
