package dev.dispatcher.service.log;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Logs rejected input without letting a flood flood the log: per reason, the first
 * {@code linesPerWindow} rejects of each window get a line of their own; the rest are counted and
 * summed up in one line ({@code ... N more 'reason' rejects in the last 10 s}) when the window is
 * over — at the next reject of that reason or at the next {@link #flush()}. Counting for metrics
 * is the caller's: this class only decides what is written. Thread-safe.
 */
public final class RejectLog {

  private static final class Window {
    long startNanos;
    int logged;
    long suppressed;

    Window(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  private final Logger log;
  private final Level level;
  private final int linesPerWindow;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  public RejectLog(Logger log, Level level, int linesPerWindow, Duration window, LongSupplier nanoTime) {
    this.log = log;
    this.level = level;
    this.linesPerWindow = linesPerWindow;
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
  }

  /** 20 lines per reason every 10 seconds, on the system clock. */
  public RejectLog(Logger log, Level level) {
    this(log, level, 20, Duration.ofSeconds(10), System::nanoTime);
  }

  /** A reject: written, or counted for the window's summary. Values from the wire must be wrapped in {@link UntrustedText}. */
  public void reject(String reason, String format, Object... arguments) {
    long now = nanoTime.getAsLong();
    Window window = windows.computeIfAbsent(reason, r -> new Window(now));
    boolean write;
    long summary = 0;
    synchronized (window) {
      if (now - window.startNanos >= windowNanos) {
        summary = window.suppressed;
        window.startNanos = now;
        window.logged = 0;
        window.suppressed = 0;
      }
      write = window.logged < linesPerWindow;
      if (write) {
        window.logged++;
      } else {
        window.suppressed++;
      }
    }
    if (summary > 0) {
      summarise(reason, summary);
    }
    if (write) {
      log.atLevel(level).log(format, arguments);
    }
  }

  /** Writes the summary of every window that is over; call it now and then (the dispatch loop does, each second). */
  public void flush() {
    long now = nanoTime.getAsLong();
    windows.forEach((reason, window) -> {
      long summary = 0;
      synchronized (window) {
        if (now - window.startNanos >= windowNanos && window.suppressed > 0) {
          summary = window.suppressed;
          window.suppressed = 0;
          window.logged = 0;
          window.startNanos = now;
        }
      }
      if (summary > 0) {
        summarise(reason, summary);
      }
    });
  }

  private void summarise(String reason, long suppressed) {
    log.atLevel(level).log("... and {} more '{}' reject(s) in the last {} s, not logged one by one (all are counted in metrics)",
        suppressed, reason, windowNanos / 1_000_000_000L);
  }
}
