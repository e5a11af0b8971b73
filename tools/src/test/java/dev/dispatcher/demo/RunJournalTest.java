package dev.dispatcher.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunJournalTest {

  @Test
  void textFromTheWireIsStorableInPostgresText() {
    assertThat(RunJournal.storable("fz-1\0\0x")).isEqualTo("fz-1\\u0000\\u0000x").doesNotContain("\0");
    assertThat(RunJournal.storable("plain \n text")).isEqualTo("plain \n text");
    assertThat(RunJournal.storable(null)).isNull();
  }

  @Test
  void onlyTimePubValuesATimestampCanHoldAreRecorded() {
    assertThat(RunJournal.plausible(1_796_161_991.75)).isTrue();
    assertThat(RunJournal.plausible(0)).isTrue();
    for (double implausible : new double[] {Double.NaN, -1, -1e308, 1e308, Double.POSITIVE_INFINITY, 253_402_300_800.0}) {
      assertThat(RunJournal.plausible(implausible)).as("%s", implausible).isFalse();
    }
  }
}
