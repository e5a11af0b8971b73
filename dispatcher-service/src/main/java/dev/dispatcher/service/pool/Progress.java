package dev.dispatcher.service.pool;

/**
 * How far a run says it is ({@code context.progress}): a fraction from 0 to 1 and a note cut to
 * {@value #MAX_NOTE} characters.
 */
public record Progress(double fraction, String note) {

  public static final int MAX_NOTE = 200;

  /** @throws IllegalArgumentException when the fraction is not a number from 0 to 1 */
  public Progress {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("progress must be a fraction from 0 to 1, was " + fraction);
    }
    if (note != null && note.length() > MAX_NOTE) {
      int end = Character.isHighSurrogate(note.charAt(MAX_NOTE - 1)) ? MAX_NOTE - 1 : MAX_NOTE; // never half a character
      note = note.substring(0, end);
    }
  }
}
