package dev.dispatcher.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioTest {

  @Test
  void scenariosAreGivenByNumberOrNameInTheirOrderOnce() {
    assertThat(Scenario.parse("1, kill ,terminate,4,kill_repeated")).containsExactly(Scenario.RESTART, Scenario.KILL, Scenario.TERMINATE,
        Scenario.KILL_REPEATED);
    assertThat(Scenario.parse("all")).containsExactly(Scenario.values());
    assertThat(Scenario.parse("8,all")).first().isEqualTo(Scenario.READERS);
  }

  @Test
  void theNumbersAreTheHarnesses() {
    assertThat(Scenario.parse("1,2,3,4,5,6,7,8")).extracting(Scenario::label)
        .containsExactly("restart", "terminate", "exhaust", "kill", "kill-repeated", "xmin", "overload", "readers");
    assertThat(Scenario.parse("9")).containsExactly(Scenario.CRASH); // ours: the harness has no crash of the server
  }

  @Test
  void anUnknownScenarioIsRefusedNamingTheKnownOnes() {
    assertThatThrownBy(() -> Scenario.parse("restart,reboot")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'reboot'").hasMessageContaining("5=kill-repeated");
    assertThatThrownBy(() -> Scenario.parse(" , ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyTheRestartNeedsTheEmbeddedPostgres() {
    for (Scenario scenario : Scenario.values()) {
      assertThat(scenario.needsEmbeddedPostgres()).isEqualTo(scenario == Scenario.RESTART || scenario == Scenario.CRASH);
    }
  }

  @Test
  void phasesAreOneLengthOrThree() {
    assertThat(Phases.parse("5")).isEqualTo(new Phases(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5)));
    assertThat(Phases.parse("20,10,2.5")).isEqualTo(new Phases(Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofMillis(2500)));
    assertThat(Phases.parse("20/10/5").toString()).isEqualTo("20/10/5 s");
    assertThatThrownBy(() -> Phases.parse("20,20")).hasMessageContaining("three");
    assertThatThrownBy(() -> Phases.parse("0.5")).hasMessageContaining("from 1");
    assertThatThrownBy(() -> Phases.parse("a,b,c")).hasMessageContaining("not a number");
  }

  @Test
  void theRepeatedKillsSetTheirOwnStressLength() {
    Duration interval = Duration.ofSeconds(20);
    assertThat(Stress.length(Scenario.KILL_REPEATED, Duration.ofSeconds(5), interval, 3)).isEqualTo(Duration.ofSeconds(60));
    assertThat(Stress.length(Scenario.KILL, Duration.ofSeconds(5), interval, 3)).isEqualTo(Duration.ofSeconds(5));
  }
}
