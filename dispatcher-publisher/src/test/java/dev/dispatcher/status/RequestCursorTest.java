package dev.dispatcher.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The cursor of a page of requests: opaque text that gives back the keyset, and nothing else is one. */
class RequestCursorTest {

  @Test
  void aCursorGivesBackItsInstantToTheMicrosecondAndItsId() {
    RequestCursor cursor = new RequestCursor(Instant.parse("2025-01-01T10:00:00.123456Z"), 987_654_321L);
    String text = cursor.encode();
    assertThat(text).matches("[A-Za-z0-9_-]+");
    assertThat(RequestCursor.decode(text)).isEqualTo(cursor);
  }

  @Test
  void textThatIsNoCursorIsRefusedSayingSo() {
    for (String bad : new String[] {"", "%%%", "bm8gYmFy", "MjAyNXwx", "x".repeat(201)}) {
      assertThatThrownBy(() -> RequestCursor.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not one a page of requests returned");
    }
  }
}
