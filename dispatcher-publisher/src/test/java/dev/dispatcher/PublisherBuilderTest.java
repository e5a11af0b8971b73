package dev.dispatcher;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The builder's checks of the timeouts (their effect is tested against real servers in tests/). */
class PublisherBuilderTest {

  /** Never asked for a connection: the builder refuses before. */
  private static final DataSource UNUSED = new DataSource() {
    @Override
    public Connection getConnection() {
      throw new AssertionError("not expected");
    }

    @Override
    public Connection getConnection(String username, String password) {
      throw new AssertionError("not expected");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) {
      throw new AssertionError("not expected");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  };

  @Test
  void timeoutsBelowWhatTheDriverAndPoolCanHonourAreRefused() {
    assertThatThrownBy(() -> Publisher.builder().connectTimeout(Duration.ofMillis(249)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout must be at least 250 ms");
    assertThatThrownBy(() -> Publisher.builder().publishTimeout(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("publishTimeout must be at least 1 s");
    assertThatThrownBy(() -> Publisher.builder().publishTimeout(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aSchemaTheDaemonWouldRefuseIsRefusedAtOnce() {
    for (String bad : new String[] {"Dispatcher", "1tasks", "my-schema", "pg_tasks", "", "x".repeat(64), "a\"b"}) {
      assertThatThrownBy(() -> Publisher.builder().schema(bad))
          .as("'%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("schema must be a lower-case identifier")
          .hasMessageEndingWith("was '" + bad + "'");
    }
    assertThatThrownBy(() -> Publisher.builder().schema(null)).isInstanceOf(IllegalArgumentException.class);
    Publisher.builder().schema("tasks_2").schema("_x").schema("x".repeat(63)); // accepted
  }

  @Test
  void aConnectTimeoutForTheApplicationsOwnPoolIsRefusedRatherThanIgnored() {
    assertThatThrownBy(() -> Publisher.builder().dataSource(UNUSED).connectTimeout(Duration.ofSeconds(2)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("connectTimeout(...) is for the pool built from url(...)");
  }
}
