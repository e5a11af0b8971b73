package dev.dispatcher.service.log;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %msg} for the text log format with control characters escaped: whatever reaches a log
 * message (an exception text quoting a payload, a value a call site forgot to wrap in
 * {@link UntrustedText}) stays on one line. Stack traces are printed by {@code %ex}, untouched.
 */
public final class EscapedMessageConverter extends MessageConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return UntrustedText.escape(super.convert(event));
  }
}
