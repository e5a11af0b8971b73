package dev.dispatcher.service.health;

/**
 * The daemon's health at one instant, as {@code GET /health} and the control replies report it,
 * made in one place so that they agree.
 *
 * @param listening the listener has listened at least once (false: not connected yet since start)
 * @param listenerConnected the LISTEN connection is up now
 * @param lastSelfCheckPassed the listener's last self-check passed (true before the first)
 * @param reason why the daemon is unhealthy, or null when it is healthy
 */
public record HealthStatus(boolean listening, boolean listenerConnected, boolean lastSelfCheckPassed, String reason) {

  public boolean healthy() {
    return reason == null;
  }

  /** {@code ok} or {@code unavailable}, the {@code status} of {@code /health}. */
  public String label() {
    return healthy() ? "ok" : "unavailable";
  }
}
