package dev.dispatcher.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RotationTest {

  @Test
  void twoSidesAlternateAsTheThroughputRoundsDo() {
    assertThat(Rotation.order(1, 2)).containsExactly(0, 1);
    assertThat(Rotation.order(2, 2)).containsExactly(1, 0);
    assertThat(Rotation.order(3, 2)).containsExactly(0, 1);
  }

  @Test
  void threeSidesEachGoFirstInTurnAndFollowADifferentSide() {
    assertThat(Rotation.order(1, 3)).containsExactly(0, 1, 2);
    assertThat(Rotation.order(2, 3)).containsExactly(1, 2, 0);
    assertThat(Rotation.order(3, 3)).containsExactly(2, 0, 1);
    assertThat(Rotation.order(4, 3)).containsExactly(0, 1, 2);
  }

  @Test
  void oneSideRunsAlone() {
    assertThat(Rotation.order(7, 1)).containsExactly(0);
  }
}
