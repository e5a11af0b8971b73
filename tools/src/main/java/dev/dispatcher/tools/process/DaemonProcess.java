package dev.dispatcher.tools.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The real daemon jar running as a child process, always with {@value #EXIT_ON_OOM} (a JVM that
 * keeps running after an OutOfMemoryError is deaf and ignores SIGTERM; exiting lets a supervisor
 * restart it). Its output (stdout and stderr merged) is read by one thread, copied to a log file,
 * kept in memory for assertions (the last {@value #RETAINED_LINES} lines: a flood of rejects must
 * not fill the caller's heap), and waited on by condition, not by polling. {@link #close()} sends
 * SIGTERM and, past a timeout, kills it.
 */
public final class DaemonProcess implements AutoCloseable {

  /** The line the daemon logs once it listens on every channel. */
  public static final String READY = "dispatcher ready";

  /** On the command line of every daemon this class starts. */
  public static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";

  /** How many of the latest output lines stay in memory; the log file has them all. */
  public static final int RETAINED_LINES = 200_000;

  private final Process process;
  /** The retained lines; {@code lines.get(i)} is output line {@code forgotten + i}. */
  private final List<String> lines = new ArrayList<>();
  private long forgotten; // guarded by lock
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition newLine = lock.newCondition();
  private final Thread reader;
  private final PrintStream logFile;

  private DaemonProcess(Process process, Path logPath) throws IOException {
    this.process = process;
    Files.createDirectories(logPath.toAbsolutePath().getParent());
    this.logFile = new PrintStream(Files.newOutputStream(logPath), true, StandardCharsets.UTF_8);
    this.reader = Thread.ofPlatform().name("daemon-output-" + process.pid()).daemon(true).start(this::read);
  }

  /**
   * Starts {@code java -XX:+ExitOnOutOfMemoryError -jar daemonJar args...} with extra environment variables.
   *
   * @param logPath where the daemon's output is copied
   */
  public static DaemonProcess start(Path daemonJar, List<String> args, Map<String, String> environment, Path logPath) throws IOException {
    return start(List.of(), daemonJar, args, environment, logPath);
  }

  /**
   * Starts {@code java -XX:+ExitOnOutOfMemoryError jvmArgs... -jar daemonJar args...} with extra
   * environment variables.
   *
   * @param jvmArgs JVM options, e.g. {@code -Xmx128m}
   * @param logPath where the daemon's output is copied
   */
  public static DaemonProcess start(List<String> jvmArgs, Path daemonJar, List<String> args, Map<String, String> environment, Path logPath)
      throws IOException {
    if (!Files.isRegularFile(daemonJar)) {
      throw new IOException("daemon jar not found: " + daemonJar.toAbsolutePath() + " (run `make build`)");
    }
    List<String> command = new ArrayList<>();
    command.add(currentJava());
    command.add(EXIT_ON_OOM);
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(daemonJar.toAbsolutePath().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    return new DaemonProcess(builder.start(), logPath);
  }

  /** The java binary running this JVM, so the child uses the same (>= 21) JDK. */
  public static String currentJava() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        logFile.println(line);
        lock.lock();
        try {
          lines.add(line);
          if (lines.size() >= 2 * RETAINED_LINES) {
            lines.subList(0, RETAINED_LINES).clear(); // amortised: one copy per RETAINED_LINES lines
            forgotten += RETAINED_LINES;
          }
          newLine.signalAll();
        } finally {
          lock.unlock();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.lock();
      try {
        newLine.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Waits until a line matches, the process ends, or the timeout passes; true when a line matched.
   * Looks at the retained lines and those that come while it waits.
   */
  public boolean awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long checked = 0; // output line number, counted from the first line the daemon printed
    lock.lock();
    try {
      while (true) {
        for (checked = Math.max(checked, forgotten); checked < forgotten + lines.size(); checked++) {
          if (match.test(lines.get((int) (checked - forgotten)))) {
            return true;
          }
        }
        if (!process.isAlive() && !reader.isAlive()) {
          return false;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        newLine.awaitNanos(remaining); // the reader signals every line and end of output
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the {@value #READY} line; throws with the output so far when it does not come. */
  public DaemonProcess awaitReady(Duration timeout) throws InterruptedException {
    if (!awaitLine(line -> line.contains(READY), timeout)) {
      throw new IllegalStateException("daemon not ready within " + timeout.toSeconds() + " s"
          + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + "; output:\n" + output());
    }
    return this;
  }

  /** Everything the daemon printed so far (the retained lines). */
  public String output() {
    lock.lock();
    try {
      return String.join("\n", lines);
    } finally {
      lock.unlock();
    }
  }

  /** The last {@code count} lines printed so far. */
  public List<String> lastLines(int count) {
    lock.lock();
    try {
      return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
    } finally {
      lock.unlock();
    }
  }

  /** Retained lines printed so far that contain the text. */
  public List<String> linesContaining(String text) {
    lock.lock();
    try {
      return lines.stream().filter(line -> line.contains(text)).toList();
    } finally {
      lock.unlock();
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Sends SIGTERM and waits for the exit; returns the exit status, or -1 if it had to be killed. */
  public int stop(Duration timeout) throws InterruptedException {
    if (process.isAlive()) {
      // SIGTERM through the handle: Process.destroy() would also close our end of the output
      // pipe, losing everything the daemon logs while it stops.
      process.toHandle().destroy();
    }
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return -1;
    }
    reader.join(Duration.ofSeconds(5));
    return process.exitValue();
  }

  /** Waits for the process to exit by itself (e.g. after a config error). */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("daemon still running after " + timeout.toSeconds() + " s; output:\n" + output());
    }
    reader.join(Duration.ofSeconds(5));
    return process.exitValue();
  }

  /** {@link #stop} with 30 s; interrupted meanwhile, it kills the daemon at once (and the interrupt stays set). */
  @Override
  public void close() {
    try {
      stop(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      logFile.close();
    }
  }
}
