package dev.dispatcher.service.control;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/**
 * The levels {@code set_log_level} sets, from what {@code control_data.level} names: one of ours
 * (TRACE, DEBUG, INFO, WARN, ERROR, any case), a Python name (WARNING, CRITICAL, FATAL: the names
 * {@code dispatcherctl} offers), or a Python level number from 1 to 50 (a JSON number or a numeric
 * string). A number maps to the least verbose of our levels that still logs what Python would at
 * it (15 logs INFO and above: INFO). Never OFF or ALL: a command must not silence the daemon.
 */
final class LogLevels {

  private static final Map<String, Level> NAMES = Map.of("TRACE", Level.TRACE, "DEBUG", Level.DEBUG, "INFO", Level.INFO,
      "WARN", Level.WARN, "WARNING", Level.WARN, "ERROR", Level.ERROR, "CRITICAL", Level.ERROR, "FATAL", Level.ERROR);
  static final String ACCEPTED = "TRACE, DEBUG, INFO, WARN (or WARNING), ERROR (or CRITICAL, FATAL), "
      + "or a Python level number from 1 to 50";

  private LogLevels() {}

  /** @throws IllegalArgumentException with the reply's message, for anything else */
  static Level of(JsonNode given) {
    if (given == null || given.isNull()) {
      throw new IllegalArgumentException("set_log_level needs control_data.level: " + ACCEPTED);
    }
    if (given.isTextual()) {
      String text = given.textValue().strip();
      Level named = NAMES.get(text.toUpperCase(Locale.ROOT));
      if (named != null) {
        return named;
      }
      if (text.matches("[0-9]{1,3}")) {
        return python(Integer.parseInt(text), given);
      }
    } else if (given.isIntegralNumber() && given.canConvertToInt()) {
      return python(given.intValue(), given);
    }
    throw unknown(given);
  }

  private static Level python(int number, JsonNode given) {
    if (number < 1 || number > 50) {
      throw unknown(given);
    }
    return number <= 10 ? Level.DEBUG : number <= 20 ? Level.INFO : number <= 30 ? Level.WARN : Level.ERROR;
  }

  private static IllegalArgumentException unknown(JsonNode given) {
    return new IllegalArgumentException("unknown log level " + ControlCommands.cut(given.toString()) + " (" + ACCEPTED + ")");
  }
}
