package dev.dispatcher.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SummaryTableTest {

  private static ScenarioResult ran(Scenario scenario, long lost, OptionalDouble recovered) {
    return new ScenarioResult(scenario, 30_000, 30_000 - lost, lost, 12, 13, 498.4, 310.2, 720.9, recovered, OptionalDouble.of(3.25),
        17_399, "stress", List.of("a remark"), null, false);
  }

  @Test
  void oneRowPerScenarioUnderAHeaderAndARule() {
    String table = SummaryTable.markdown(List.of(ran(Scenario.RESTART, 0, OptionalDouble.of(1.44)), ran(Scenario.KILL, 2, OptionalDouble.empty())));
    List<String> lines = table.lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("| # ").contains("| lost ").contains("| run twice ").contains("back to 90% after");
    assertThat(lines.get(1)).matches("\\|( -{3,} \\|)+");
    assertThat(lines.get(2)).contains("| restart ").contains("| 30,000 ").contains("| 12 ").contains("| 498 ").contains("| 1.4 s ")
        .contains("| 3.3 s ").contains("| 17,399 ");
    assertThat(lines.get(3)).contains("| kill ").contains("| 29,998 ").contains("| 2 ").contains("| not recovered ");
  }

  @Test
  void columnsAreAlignedAndEveryRowHasEveryCell() {
    String table = SummaryTable.markdown(List.of(ran(Scenario.KILL_REPEATED, 0, OptionalDouble.of(0)),
        ScenarioResult.skipped(Scenario.RESTART, "needs the embedded Postgres")));
    List<String> lines = table.lines().filter(line -> line.startsWith("|")).toList();
    assertThat(lines).hasSize(4);
    int width = lines.get(0).length();
    for (String line : lines) {
      assertThat(line).hasSize(width);
      assertThat(line.chars().filter(c -> c == '|').count()).isEqualTo(SummaryTable.HEADER.size() + 1);
    }
  }

  @Test
  void skippedAndBrokenScenariosSayWhy() {
    ScenarioResult skipped = ScenarioResult.skipped(Scenario.RESTART, "needs the embedded Postgres");
    ScenarioResult broken = ScenarioResult.broken(Scenario.XMIN, "java.io.IOException: no | pipes\nhere", List.of());
    assertThat(SummaryTable.row(skipped)).hasSize(SummaryTable.HEADER.size()).startsWith("1", "restart", "skipped", "-");
    assertThat(SummaryTable.row(broken)).startsWith("6", "xmin", "error", "-");
    String table = SummaryTable.markdown(List.of(skipped, ran(Scenario.KILL, 0, OptionalDouble.of(0)), broken));
    assertThat(table).endsWith("|\n\n1 restart: skipped: needs the embedded Postgres\n6 xmin: error: java.io.IOException: no / pipes here\n");
  }

  @Test
  void unknownDeadTuplesShowAsAQuestionMark() {
    ScenarioResult result = new ScenarioResult(Scenario.READERS, 1, 1, 0, 0, 0, 1, 1, 1, OptionalDouble.of(0), OptionalDouble.empty(), -1, "",
        List.of(), null, false);
    List<String> row = SummaryTable.row(result);
    assertThat(row.get(10)).isEqualTo("not cleared");
    assertThat(row.get(11)).isEqualTo("?");
  }
}
