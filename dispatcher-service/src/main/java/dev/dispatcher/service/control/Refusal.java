package dev.dispatcher.service.control;

/**
 * Why a control message was not carried out; each is counted
 * ({@code dispatcher_control_refused_total{reason}}) and logged.
 */
public enum Refusal {
  /** An acting command not listed in {@code control.allow}. */
  NOT_ALLOWED("not_allowed", true),
  /** An acting command without a signature while {@code DISPATCHER_CONTROL_SECRET} is set. */
  UNSIGNED("unsigned", true),
  /** A signature that is malformed, does not verify, or does not match the message. */
  BAD_SIGNATURE("bad_signature", true),
  /** A signature whose time is outside {@code control.signature_window}. */
  EXPIRED("expired", true),
  /** A signature whose nonce was seen before (a replay). */
  REPLAYED("replayed", true),
  /** A valid signature while the nonce memory is full of unexpired nonces (fail closed). */
  NONCE_LIMIT("nonce_limit", true),
  /** A {@code reply_to} that does not match {@code control.reply_to_pattern}: not run, no reply. */
  BAD_REPLY_TO("bad_reply_to", false),
  /** Every handler was busy: answered with an error. */
  BUSY("busy", true),
  /** Every handler and every busy reply slot was taken: dropped without a reply. */
  OVERLOADED("overloaded", false);

  private final String label;
  private final boolean answered;

  Refusal(String label, boolean answered) {
    this.label = label;
    this.answered = answered;
  }

  /** The counter's {@code reason} label. */
  public String label() {
    return label;
  }

  /** Whether the sender gets an {@code {"error": ...}} reply (when it gave a {@code reply_to}). */
  public boolean answered() {
    return answered;
  }
}
