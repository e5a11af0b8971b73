package dev.dispatcher.service.api;

/** How values from a request appear in an answer: cut, so an answer never grows with what was sent. */
final class ApiText {

  private static final int MAX = 200;

  private ApiText() {}

  static String cut(String text) {
    if (text == null) {
      return "null";
    }
    return text.length() <= MAX ? text : text.substring(0, MAX) + "…";
  }

  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }
}
