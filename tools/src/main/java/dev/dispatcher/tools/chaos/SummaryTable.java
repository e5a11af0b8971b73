package dev.dispatcher.tools.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The per-scenario table printed at the end of a run, as Markdown (readable as it is on a terminal,
 * pasteable into the docs); a scenario that was skipped or broke off gets a row saying so and a
 * line with the reason under the table.
 */
final class SummaryTable {

  static final List<String> HEADER = List.of("#", "scenario", "enqueued", "completed", "lost", "run twice", "baseline /s", "stress /s",
      "recovery /s", "back to 90% after", "backlog cleared after", "max dead tuples (stress)");

  private SummaryTable() {}

  static String markdown(List<ScenarioResult> results) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (ScenarioResult result : results) {
      rows.add(row(result));
    }
    int[] widths = new int[HEADER.size()];
    java.util.Arrays.fill(widths, 3); // the rule's "---"
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      line(out, rows.get(r), widths);
      if (r == 0) {
        List<String> rule = new ArrayList<>();
        for (int width : widths) {
          rule.add("-".repeat(width));
        }
        line(out, rule, widths);
      }
    }
    for (ScenarioResult result : results) {
      if (!result.ran()) {
        out.append("\n").append(result.scenario().number()).append(' ').append(result.scenario().label()).append(": ")
            .append(result.skipped() ? "skipped: " : "error: ").append(oneLine(result.failure()));
      }
    }
    if (results.stream().anyMatch(result -> !result.ran())) {
      out.append('\n');
    }
    return out.toString();
  }

  static List<String> row(ScenarioResult result) {
    String number = Integer.toString(result.scenario().number());
    String name = result.scenario().label();
    if (!result.ran()) {
      List<String> row = new ArrayList<>(List.of(number, name, result.skipped() ? "skipped" : "error"));
      while (row.size() < HEADER.size()) {
        row.add("-");
      }
      return row;
    }
    return List.of(number, name, count(result.enqueued()), count(result.completed()), count(result.lost()), count(result.runTwice()),
        rate(result.baselineRate()), rate(result.stressRate()), rate(result.recoveryRate()), seconds(result.recoveredAfter(), "not recovered"),
        seconds(result.backlogClearedAfter(), "not cleared"), result.deadTuplesMax() < 0 ? "?" : count(result.deadTuplesMax()));
  }

  /** 12,345. */
  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  static String seconds(OptionalDouble value, String otherwise) {
    return value.isPresent() ? String.format(Locale.ROOT, "%.1f s", value.getAsDouble()) : otherwise;
  }

  private static String oneLine(String text) {
    String line = text == null ? "" : text.replaceAll("\\s+", " ").strip();
    return line.replace("|", "/");
  }

  private static void line(StringBuilder out, List<String> cells, int[] widths) {
    out.append('|');
    for (int i = 0; i < widths.length; i++) {
      String cell = i < cells.size() ? cells.get(i) : "";
      out.append(' ').append(cell).append(" ".repeat(Math.max(0, widths[i] - cell.length()))).append(" |");
    }
    out.append('\n');
  }
}
