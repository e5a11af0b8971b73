package dev.dispatcher.tools;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Nothing below WARN while measuring: at INFO the daemon writes a line per task, and a benchmark
 * would measure the logger. The root and every logger given its own level (logback.xml) are set.
 */
public final class QuietLogs {

  private QuietLogs() {}

  public static void apply() {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    logging.getLogger("dev.dispatcher").setLevel(Level.WARN);
    for (Logger logger : logging.getLoggerList()) {
      if (logger.getLevel() != null && !logger.getLevel().isGreaterOrEqual(Level.WARN)) {
        logger.setLevel(Level.WARN);
      }
    }
  }
}
