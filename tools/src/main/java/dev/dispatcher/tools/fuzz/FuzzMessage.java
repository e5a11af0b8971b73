package dev.dispatcher.tools.fuzz;

import java.util.List;

/**
 * One generated message: its kind, the NOTIFY payloads that carry it (several for the chunk kinds,
 * to be sent in this order), and for a valid task its uuid (else null).
 */
public record FuzzMessage(Kind kind, List<String> payloads, String validUuid) {

  public FuzzMessage {
    payloads = List.copyOf(payloads);
    if (payloads.isEmpty()) {
      throw new IllegalArgumentException("a message needs at least one payload");
    }
  }
}
