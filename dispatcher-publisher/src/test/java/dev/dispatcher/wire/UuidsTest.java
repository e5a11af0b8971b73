package dev.dispatcher.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UuidsTest {

  private static final String V7 = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  @Test
  void uuidsAreVersion7TextAndUnique() {
    Uuids uuids = new Uuids();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20_000; i++) { // spans many 1 kB blocks of random bytes
      String uuid = uuids.next();
      assertThat(uuid).matches(V7);
      UUID parsed = UUID.fromString(uuid);
      assertThat(parsed.version()).isEqualTo(7);
      assertThat(parsed.variant()).isEqualTo(2);
      assertThat(seen.add(uuid)).as("uuid %d is new", i).isTrue();
    }
  }

  @Test
  void theFirst48BitsAreTheUnixMillisecondsSoLaterUuidsSortAfterEarlierOnes() {
    Uuids uuids = new Uuids();
    long millis = 1_733_333_333_123L; // 2024-12-04T17:28:53.123Z
    String uuid = uuids.next(millis);
    assertThat(uuid).startsWith("019392b7-b483-7");
    assertThat(Long.parseLong(uuid.substring(0, 8) + uuid.substring(9, 13), 16)).isEqualTo(millis);
    String later = uuids.next(millis + 1);
    assertThat(UUID.fromString(later).toString()).isGreaterThan(uuid);
    long before = System.currentTimeMillis();
    String now = uuids.next();
    long after = System.currentTimeMillis();
    assertThat(Long.parseLong(now.substring(0, 8) + now.substring(9, 13), 16)).isBetween(before, after);
  }

  @Test
  void everyHexDigitAppearsInEveryRandomPosition() {
    Uuids uuids = new Uuids();
    List<Set<Character>> digits = new ArrayList<>();
    for (int i = 0; i < 36; i++) {
      digits.add(new HashSet<>());
    }
    for (int i = 0; i < 5_000; i++) {
      String uuid = uuids.next(i % 16 * 0x111111111111L);
      for (int p = 0; p < 36; p++) {
        digits.get(p).add(uuid.charAt(p));
      }
    }
    for (int p = 0; p < 36; p++) {
      int expected = switch (p) {
        case 8, 13, 18, 23 -> 1; // '-'
        case 14 -> 1;            // version '7'
        case 19 -> 4;            // variant 8, 9, a, b
        default -> 16;           // random, or the time: 16 times, each all one digit
      };
      assertThat(digits.get(p)).as("characters seen at position %d", p).hasSize(expected);
    }
  }

  @Test
  void threadsDoNotShareRandomBytes() throws Exception {
    Uuids uuids = new Uuids();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      workers.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 5_000; i++) {
          seen.add(uuids.next());
        }
      }, runnable -> new Thread(runnable).start()));
    }
    CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(seen).hasSize(40_000);
  }
}
