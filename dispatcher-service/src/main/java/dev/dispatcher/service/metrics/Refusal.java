package dev.dispatcher.service.metrics;

/**
 * Why a control message was not carried out; each is counted
 * ({@code dispatcher_control_refused_total{reason}}) and logged. All but {@link #BAD_REPLY_TO} and
 * {@link #OVERLOADED} are answered with an error when the message has a {@code reply_to}.
 */
public enum Refusal {
  /** An acting command not listed in {@code control.allow}. */
  NOT_ALLOWED("not_allowed"),
  /** An acting command without a signature while {@code DISPATCHER_CONTROL_SECRET} is set. */
  UNSIGNED("unsigned"),
  /** A signature that is malformed, does not verify, or does not match the message. */
  BAD_SIGNATURE("bad_signature"),
  /** A signature whose time is outside {@code control.signature_window}. */
  EXPIRED("expired"),
  /** A signature whose nonce was seen before (a replay). */
  REPLAYED("replayed"),
  /** A valid signature while the nonce memory is full of unexpired nonces (fail closed). */
  NONCE_LIMIT("nonce_limit"),
  /** A {@code reply_to} that does not match {@code control.reply_to_pattern}: not run, no reply. */
  BAD_REPLY_TO("bad_reply_to"),
  /** Every handler was busy: answered with an error. */
  BUSY("busy"),
  /** Every handler and every busy reply slot was taken: dropped without a reply. */
  OVERLOADED("overloaded");

  private final String label;

  Refusal(String label) {
    this.label = label;
  }

  /** The counter's {@code reason} label. */
  public String label() {
    return label;
  }
}
