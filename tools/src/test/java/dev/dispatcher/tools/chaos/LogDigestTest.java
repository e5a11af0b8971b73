package dev.dispatcher.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogDigestTest {

  @Test
  void countsTheDaemonsDurableWarnings() {
    LogDigest digest = new LogDigest();
    digest.add("2026-12-02T07:04:17.458Z WARN  [dispatcher-heartbeat] Heartbeat - 35 of 35 durable row(s) of this node were no longer its own:"
        + " their lease had expired and another node took them (they may run twice)");
    digest.add("2026-12-02T07:04:20.467Z WARN  [dispatcher-heartbeat] Heartbeat - 1 of 13 durable row(s) of this node were no longer its own:"
        + " their lease had expired and another node took them (they may run twice)");
    digest.add("2026-12-02T07:05:01.000Z WARN  [dispatcher-timer] Maintenance - durable task 0f8c... dev.dispatcher.tools.chaos.ChaosTasks.record:"
        + " its lease on node chaos-b expired during attempt 1; it runs again");
    digest.add("2026-12-02T07:05:01.000Z WARN  [dispatcher-timer] Maintenance - durable task 1f8c... x: its lease on node chaos-b expired"
        + " during attempt 100; failed for good (no attempt left)");
    digest.add("2026-12-02T07:05:02.000Z WARN  [dispatcher-completer] CompletionWriter - 3 of 120 durable outcome(s) not written: their rows'"
        + " lease was lost meanwhile (another node may run them again)");
    digest.add("2026-12-02T07:05:03.000Z WARN  [dispatcher-claimer] Claimer - cannot claim durable tasks: FATAL: sorry, too many clients already;"
        + " trying again every 200 ms");
    digest.add("2026-12-02T07:13:56.508Z WARN  [dispatcher-completer] CompletionWriter - cannot write 4 durable outcome(s): ERROR: deadlock"
        + " detected\\n  Detail: Process 12278 waits for ShareLock on transaction 8997; blocked by process 12250.; retrying every 1000 ms");
    digest.add("2026-12-02T07:05:04.000Z ERROR [dispatcher-claimer] Claimer - durable claim failed: boom");
    digest.add("2026-12-02T07:05:05.000Z INFO  [main] Dispatcher - dispatcher ready: ERROR in the text is not an error line");
    digest.add("Terminating due to java.lang.OutOfMemoryError: Java heap space");

    assertThat(digest.leasesFoundTaken).isEqualTo(36);
    assertThat(digest.rescued).isEqualTo(2);
    assertThat(digest.rescuedFailedForGood).isEqualTo(1);
    assertThat(digest.outcomesNotWritten).isEqualTo(3);
    assertThat(digest.claimOutages).isEqualTo(1);
    assertThat(digest.deadlocks).isEqualTo(1);
    assertThat(digest.connectionRefusals).isEqualTo(1);
    assertThat(digest.errors).isEqualTo(2);
    assertThat(digest.errorSamples).hasSize(2);
    assertThat(digest.summary()).startsWith("daemon logs: 2 row(s) rescued after an expired lease (1 failed for good)")
        .contains("36 row(s) the heartbeat called").contains("3 outcome(s) the table did not take")
        .contains("1 statement(s) failed with \"deadlock detected\"").contains("2 ERROR line(s)");
  }

  @Test
  void ordinaryLinesCountNothing() {
    LogDigest digest = new LogDigest();
    digest.add("2026-12-02T07:04:33.800Z INFO  [main] Dispatcher - dispatcher ready: node chaos-b listening on [dispatcher_chaos] with 16 worker(s)");
    assertThat(digest.summary()).isEqualTo("daemon logs: 0 row(s) rescued after an expired lease, 0 row(s) the heartbeat called \"no longer"
        + " its own\", 0 outcome(s) the table did not take (\"lease was lost\"), 0 ERROR line(s)");
  }
}
