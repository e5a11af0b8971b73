package dev.dispatcher.service.storage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The self-check's payload goes into the statement text: only plain text may. (Both statements run in PgNotifyListenerTest.) */
class PostgresListenStatementsTest {

  @Test
  void aPayloadThatIsNotPlainTextIsRefusedBeforeAnythingRuns() {
    // no connection is needed: nothing may reach the session
    assertThatThrownBy(() -> new PostgresListenStatements().notifySelf(null, "dispatcher_self_x", "check-1'; DROP TABLE t; --"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain text");
  }
}
