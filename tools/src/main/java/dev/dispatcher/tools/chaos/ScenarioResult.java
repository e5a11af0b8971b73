package dev.dispatcher.tools.chaos;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What one scenario found. A scenario that did not run (skipped) or broke off (error) has only
 * its name and the reason.
 *
 * @param enqueued rows the publisher's submissions made in the task table
 * @param completed of those, rows in state {@code completed} at the end
 * @param lost enqueued (or acknowledged) but not completed at the end: must be 0
 * @param runTwice uuids the journal holds more than one run of
 * @param extraRuns runs beyond the first, over all uuids
 * @param baselineRate the baseline throughput: completions per second in the second half of the baseline phase, at most the publish rate then
 * @param stressRate completions per second in the stress phase
 * @param recoveryRate completions per second in the recovery phase
 * @param recoveredAfter seconds from the end of the disruption until throughput was back to 90% of the baseline; empty: it was not
 * @param backlogClearedAfter seconds from the end of the disruption until the backlog (acknowledged, not completed) was under one second of publishing; empty: it was not
 * @param deadTuplesMax most dead tuples of the task table seen during the stress phase (-1: unknown)
 * @param stress what the stress phase did, one line
 * @param remarks further findings, one line each
 * @param failure why it was skipped or broke off, or null when it ran
 * @param skipped true when it did not run at all
 */
record ScenarioResult(Scenario scenario, long enqueued, long completed, long lost, long runTwice, long extraRuns, double baselineRate,
    double stressRate, double recoveryRate, OptionalDouble recoveredAfter, OptionalDouble backlogClearedAfter, long deadTuplesMax,
    String stress, List<String> remarks, String failure, boolean skipped) {

  ScenarioResult {
    remarks = List.copyOf(remarks);
  }

  static ScenarioResult skipped(Scenario scenario, String reason) {
    return new ScenarioResult(scenario, 0, 0, 0, 0, 0, 0, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), -1, "", List.of(),
        reason, true);
  }

  static ScenarioResult broken(Scenario scenario, String error, List<String> remarks) {
    return new ScenarioResult(scenario, 0, 0, 0, 0, 0, 0, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), -1, "", remarks,
        error, false);
  }

  /** Ran to the end (lost tasks or not). */
  boolean ran() {
    return failure == null;
  }
}
