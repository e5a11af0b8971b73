package dev.dispatcher.service.metrics;

/**
 * How a run ended, as counted ({@code dispatcher_tasks_finished_total{outcome}}); the pool's
 * {@code Outcome} maps onto it. Here and not there so that this package depends on no part that
 * reports to it.
 */
public enum OutcomeKind {
  SUCCEEDED("succeeded"),
  FAILED("failed"),
  TIMED_OUT("timed_out"),
  CANCELLED("cancelled");

  private final String label;

  OutcomeKind(String label) {
    this.label = label;
  }

  /** The name in metrics, control replies and the shutdown summary. */
  public String label() {
    return label;
  }
}
