package dev.dispatcher.tools.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the daemons' logs of one scenario say about durable delivery: leases that expired and were
 * rescued, rows a node found taken from it, outcomes the table no longer took, errors. Counts the
 * daemon's own log lines (see {@code Maintenance}, {@code Heartbeat}, {@code CompletionWriter});
 * anything else is ignored.
 */
final class LogDigest {

  private static final Pattern LEADING_NUMBER = Pattern.compile(" - (\\d+) of (\\d+) durable");
  private static final Pattern LEVEL = Pattern.compile("^\\S+ (ERROR|WARN|INFO|DEBUG|TRACE) ");

  long rescued;
  long rescuedFailedForGood;
  long leasesFoundTaken;
  long outcomesNotWritten;
  long notWrittenAtShutdown;
  long errors;
  long connectionRefusals;
  long claimOutages;
  long deadlocks;
  final List<String> errorSamples = new ArrayList<>();

  /** Reads the files (missing ones are skipped). */
  static LogDigest of(List<Path> logs) {
    LogDigest digest = new LogDigest();
    for (Path log : logs) {
      if (!Files.isRegularFile(log)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
        lines.forEach(digest::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (UncheckedIOException e) {
        // a line that is not UTF-8 (a killed process can cut one): what was read counts
      }
    }
    return digest;
  }

  void add(String line) {
    if (line.contains("its lease on node") && line.contains("expired during attempt")) {
      rescued++;
      if (line.contains("failed for good")) {
        rescuedFailedForGood++;
      }
    }
    if (line.contains("were no longer its own")) {
      leasesFoundTaken += leadingCount(line);
    }
    if (line.contains("durable outcome(s) not written: their rows' lease was lost")) {
      outcomesNotWritten += leadingCount(line);
    }
    if (line.contains("not written at shutdown")) {
      notWrittenAtShutdown++;
    }
    if (line.contains("cannot claim durable tasks")) {
      claimOutages++;
    }
    if (line.contains("deadlock detected")) {
      deadlocks++;
    }
    String lower = line.toLowerCase(Locale.ROOT);
    if (lower.contains("too many clients") || lower.contains("remaining connection slots")) {
      connectionRefusals++;
    }
    Matcher level = LEVEL.matcher(line);
    if (level.find() && level.group(1).equals("ERROR") || line.startsWith("Terminating due to")) {
      errors++;
      if (errorSamples.size() < 3) {
        errorSamples.add(line.length() > 300 ? line.substring(0, 300) + "…" : line);
      }
    }
  }

  private static long leadingCount(String line) {
    Matcher matcher = LEADING_NUMBER.matcher(line);
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 1;
  }

  /** One line for the scenario's remarks. */
  String summary() {
    List<String> parts = new ArrayList<>();
    parts.add(rescued + " row(s) rescued after an expired lease" + (rescuedFailedForGood > 0 ? " (" + rescuedFailedForGood + " failed for good)" : ""));
    // Both warnings also count rows that had simply completed meanwhile (see docs/reliability.md): compare with the rescues.
    parts.add(leasesFoundTaken + " row(s) the heartbeat called \"no longer its own\"");
    parts.add(outcomesNotWritten + " outcome(s) the table did not take (\"lease was lost\")");
    if (notWrittenAtShutdown > 0) {
      parts.add(notWrittenAtShutdown + " shutdown(s) leaving outcomes unwritten");
    }
    if (deadlocks > 0) {
      parts.add(deadlocks + " statement(s) failed with \"deadlock detected\"");
    }
    if (claimOutages > 0) {
      parts.add(claimOutages + " claim outage(s)");
    }
    if (connectionRefusals > 0) {
      parts.add(connectionRefusals + " line(s) about refused connections");
    }
    parts.add(errors + " ERROR line(s)");
    return "daemon logs: " + String.join(", ", parts);
  }
}
