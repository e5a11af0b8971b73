package dev.dispatcher.status;

/**
 * Checks a client name ({@code SubmitOptions.client}): who submitted a task, kept on its row to
 * list a client's requests. 1 to {@value #MAX_LENGTH} characters, no control characters, not blank.
 */
public final class ClientNames {

  /** The longest client name, as the table's constraint says. */
  public static final int MAX_LENGTH = 100;

  private ClientNames() {}

  /**
   * Returns the name when it is one.
   *
   * @throws IllegalArgumentException saying what a client name must be
   */
  public static String check(String client) {
    if (client == null || client.isBlank() || client.length() > MAX_LENGTH || client.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("client must be 1 to " + MAX_LENGTH + " characters, not blank, without control characters, was "
          + (client == null ? "null" : client.length() > MAX_LENGTH ? client.length() + " characters" : "'" + client + "'"));
    }
    return client;
  }
}
