package dev.dispatcher.tools.postgres;

import java.io.FileNotFoundException;
import java.nio.file.FileSystemException;

/** Turns exceptions into the one-line reasons this package prints. */
final class Messages {

  private static final int MAX_LENGTH = 300;

  private Messages() {}

  /**
   * The innermost useful message of {@code error} on one line: driver and process errors often
   * wrap the real cause ("Connection refused") several levels deep and span several lines.
   */
  static String oneLine(Throwable error) {
    Throwable deepest = error;
    while (deepest.getCause() != null && deepest.getCause() != deepest) {
      deepest = deepest.getCause();
    }
    String outer = describe(error);
    String inner = describe(deepest);
    String text = deepest == error || outer.contains(inner) ? outer : outer + " (" + inner + ")";
    return oneLine(text);
  }

  /** Collapses whitespace and newlines and caps the length, so a message stays one line. */
  static String oneLine(String text) {
    String flat = text.strip().replaceAll("\\s+", " ");
    return flat.length() <= MAX_LENGTH ? flat : flat.substring(0, MAX_LENGTH) + "...";
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    if (message == null || message.isBlank()) {
      return error.getClass().getSimpleName();
    }
    // These carry a bare path as their message ("/tmp/x"): the type is half of what went wrong.
    if (error instanceof FileSystemException || error instanceof FileNotFoundException) {
      return error.getClass().getSimpleName() + ": " + message;
    }
    return message;
  }
}
