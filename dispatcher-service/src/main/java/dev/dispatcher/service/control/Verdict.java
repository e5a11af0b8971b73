package dev.dispatcher.service.control;

import dev.dispatcher.service.metrics.Refusal;

/** The policy's decision on one control message. */
public sealed interface Verdict {

  /** Carry the command out. */
  record Allowed() implements Verdict {}

  /** Do not: {@code message} is the error reply's text (it names no secret). */
  record Refused(Refusal reason, String message) implements Verdict {}

  Verdict ALLOWED = new Allowed();
}
