package dev.dispatcher.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanupTest {

  @Test
  void closesLastRegisteredFirstOnceAndGoesOnAfterAFailure() {
    List<String> closed = new ArrayList<>();
    Cleanup cleanup = new Cleanup();
    cleanup.add("postgres", () -> closed.add("postgres"));
    cleanup.add("broken", () -> {
      closed.add("broken");
      throw new IllegalStateException("cannot");
    });
    AutoCloseable publisher = cleanup.add("publisher", () -> closed.add("publisher"));
    cleanup.add("daemons", () -> closed.add("daemons"));
    cleanup.release(publisher);
    assertThat(closed).containsExactly("publisher");
    cleanup.close();
    cleanup.close();
    assertThat(closed).containsExactly("publisher", "daemons", "broken", "postgres");
    cleanup.add("late", () -> closed.add("late"));
    assertThat(closed).endsWith("late");
  }
}
