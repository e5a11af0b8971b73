package dev.dispatcher.tools.chaos;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** The chaos scenarios, numbered as in the public Postgres job-queue benchmark harness. */
enum Scenario {
  RESTART(1, "restart", "Postgres restart: the embedded server stopped (fast shutdown) and started again on the same data directory and port", true),
  TERMINATE(2, "terminate", "every backend but the tool's control connections terminated (pg_terminate_backend), twice a second", false),
  EXHAUST(3, "exhaust", "connection exhaustion: another client holds all connections but a few for the stress phase", false),
  KILL(4, "kill", "SIGKILL of one of the two daemons while it holds running rows, restarted at once", false),
  KILL_REPEATED(5, "kill-repeated", "SIGKILL of one of the two daemons (alternating, while it holds running rows) every kill interval, restarted each time", false),
  XMIN(6, "xmin", "a long-open transaction holding the xmin horizon (BEGIN; SELECT txid_current(); then held)", false),
  OVERLOAD(7, "overload", "sustained overload: published at 1.5 x the baseline's completion rate", false),
  READERS(8, "readers", "concurrent REPEATABLE READ readers scanning the task table", false),
  CRASH(9, "crash", "Postgres crash: every server process SIGKILLed at once (WAL not yet written out is lost, as when the server loses"
      + " power), started again on the same data directory and port (crash recovery)", true);

  private final int number;
  private final String label;
  private final String description;
  private final boolean needsEmbeddedPostgres;

  Scenario(int number, String label, String description, boolean needsEmbeddedPostgres) {
    this.number = number;
    this.label = label;
    this.description = description;
    this.needsEmbeddedPostgres = needsEmbeddedPostgres;
  }

  int number() {
    return number;
  }

  String label() {
    return label;
  }

  String description() {
    return description;
  }

  /** Needs a Postgres the tool controls (it restarts it): not with {@code --url}. */
  boolean needsEmbeddedPostgres() {
    return needsEmbeddedPostgres;
  }

  /**
   * Scenarios by number or label, comma-separated (spaces allowed), in the order given, each once;
   * {@code all} is every scenario.
   *
   * @throws IllegalArgumentException naming an unknown entry and the known ones
   */
  static List<Scenario> parse(String text) {
    LinkedHashSet<Scenario> chosen = new LinkedHashSet<>();
    for (String part : text.split(",")) {
      String entry = part.strip().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.equals("all")) {
        chosen.addAll(List.of(values()));
        continue;
      }
      chosen.add(find(entry));
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("no scenario given (known: " + known() + ", or all)");
    }
    return new ArrayList<>(chosen);
  }

  private static Scenario find(String entry) {
    for (Scenario scenario : values()) {
      if (scenario.label.equals(entry) || Integer.toString(scenario.number).equals(entry)
          || scenario.name().toLowerCase(Locale.ROOT).equals(entry.replace('-', '_'))) {
        return scenario;
      }
    }
    throw new IllegalArgumentException("unknown scenario '" + entry + "' (known: " + known() + ", or all)");
  }

  static String known() {
    List<String> names = new ArrayList<>();
    for (Scenario scenario : values()) {
      names.add(scenario.number + "=" + scenario.label);
    }
    return String.join(", ", names);
  }
}
