package dev.dispatcher.service.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NonceCacheTest {

  @Test
  void aNonceIsSeenUntilItExpiresAndTheCacheNeverHoldsMoreThanItsCapacity() {
    NonceCache cache = new NonceCache(3);

    assertThat(cache.remember("a", 10, 0)).isEqualTo(NonceCache.Result.NEW);
    assertThat(cache.remember("a", 10, 1)).isEqualTo(NonceCache.Result.SEEN);
    assertThat(cache.remember("b", 20, 1)).isEqualTo(NonceCache.Result.NEW);
    assertThat(cache.remember("c", 5, 1)).isEqualTo(NonceCache.Result.NEW);
    assertThat(cache.remember("d", 30, 1)).isEqualTo(NonceCache.Result.FULL);
    assertThat(cache.size()).isEqualTo(3);

    assertThat(cache.remember("d", 30, 5)).as("c expired at 5, making room").isEqualTo(NonceCache.Result.NEW);
    assertThat(cache.remember("a", 10, 9)).isEqualTo(NonceCache.Result.SEEN);
    assertThat(cache.remember("a", 40, 10)).as("a expired at 10").isEqualTo(NonceCache.Result.NEW);
    assertThat(cache.size()).isEqualTo(3);
  }
}
