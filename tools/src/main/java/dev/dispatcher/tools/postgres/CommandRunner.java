package dev.dispatcher.tools.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** Runs a short external command (the docker CLI) with a time limit and collects its output. */
final class CommandRunner {

  /** Exit code reported when the command could not be started at all (as a shell does). */
  static final int NOT_STARTED = 127;

  /** Exit code reported when the command ran past its time limit and was killed. */
  static final int TIMED_OUT = -1;

  /** How a command ended and what it printed. */
  record Result(int exitCode, String stdout, String stderr) {

    boolean succeeded() {
      return exitCode == 0;
    }

    /**
     * The line worth showing when the command failed. Docker prints progress first ("Unable to
     * find image ... locally", pull layers) and the error last, so prefer the last line that
     * mentions an error, then the last line of stderr, then of stdout.
     */
    String errorSummary() {
      for (String text : List.of(stderr, stdout)) {
        List<String> lines = text.lines().filter(line -> !line.isBlank()).toList();
        if (!lines.isEmpty()) {
          String chosen =
              lines.reversed().stream()
                  .filter(line -> line.toLowerCase(Locale.ROOT).contains("error"))
                  .findFirst()
                  .orElse(lines.getLast());
          return Messages.oneLine(chosen);
        }
      }
      return "exit code " + exitCode;
    }
  }

  Result run(Duration timeout, List<String> command) {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      return new Result(
          NOT_STARTED, "", "cannot run " + command.getFirst() + ": " + Messages.oneLine(e));
    }
    try {
      // Nothing here reads stdin: close it so a command that does sees EOF instead of waiting.
      process.getOutputStream().close();
      // Drain both pipes concurrently: a command that fills one while we block on the other hangs.
      FutureTask<String> stdout = drain(process.getInputStream());
      FutureTask<String> stderr = drain(process.getErrorStream());
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Result(
            TIMED_OUT,
            "",
            "%s timed out after %ds".formatted(String.join(" ", command), timeout.toSeconds()));
      }
      return new Result(process.exitValue(), stdout.get(), stderr.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Result(TIMED_OUT, "", "interrupted while running " + command.getFirst());
    } catch (IOException | ExecutionException e) {
      process.destroyForcibly();
      return new Result(
          NOT_STARTED, "", "cannot read the output of " + command.getFirst() + ": " + e);
    }
  }

  private static FutureTask<String> drain(InputStream stream) {
    FutureTask<String> task =
        new FutureTask<>(
            () -> {
              try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    Thread.ofVirtual().name("command-output").start(task);
    return task;
  }
}
