package dev.dispatcher.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/** HikariCP pools for a {@link DatabaseUrl}, named so their connections show in pg_stat_activity. */
public final class ConnectionPools {

  private ConnectionPools() {}

  /**
   * A pool of at most {@code maxSize} connections. It starts even while the database is down
   * (connections are made on demand), so a process can come up before its database does.
   *
   * @param name the pool's name, also its connections' {@code application_name} unless the URL sets one
   */
  public static HikariDataSource create(DatabaseUrl url, String name, int maxSize) {
    return new HikariDataSource(config(url, name, maxSize));
  }

  private static HikariConfig config(DatabaseUrl url, String name, int maxSize) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url.withDefaultOption("ApplicationName", name).pgjdbcUrl());
    config.setUsername(url.user());
    config.setPassword(url.password());
    config.setMaximumPoolSize(maxSize);
    config.setMinimumIdle(0);
    config.setInitializationFailTimeout(-1);
    return config;
  }

  /**
   * As {@link #create(DatabaseUrl, String, int)}, with bounded waits. A caller of {@code
   * getConnection()} waits at most {@code connectTimeout} (HikariCP's {@code connectionTimeout});
   * each connection attempt gives up after it too (pgjdbc's {@code connectTimeout} and {@code
   * loginTimeout}), so no attempt outlives the caller by long; and a read on a connection waits at
   * most {@code socketTimeout} (pgjdbc's {@code socketTimeout}), so a server that stops answering
   * cannot hold a caller for ever. The pgjdbc options are whole seconds, rounded up; options the
   * URL sets itself win.
   *
   * @param connectTimeout at least 250 ms (HikariCP's minimum)
   * @param socketTimeout at least 1 s
   */
  public static HikariDataSource create(DatabaseUrl url, String name, int maxSize, Duration connectTimeout, Duration socketTimeout) {
    if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new IllegalArgumentException("connectTimeout must be at least 250 ms: " + connectTimeout);
    }
    if (socketTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("socketTimeout must be at least 1 s: " + socketTimeout);
    }
    String connectSeconds = Long.toString(wholeSecondsUp(connectTimeout));
    DatabaseUrl bounded = url.withDefaultOption("connectTimeout", connectSeconds)
        .withDefaultOption("loginTimeout", connectSeconds)
        .withDefaultOption("socketTimeout", Long.toString(wholeSecondsUp(socketTimeout)));
    HikariConfig config = config(bounded, name, maxSize);
    config.setConnectionTimeout(connectTimeout.toMillis());
    return new HikariDataSource(config);
  }

  /** Whole seconds, rounded up: 1500 ms is 2 s, 1 s is 1 s. */
  public static long wholeSecondsUp(Duration duration) {
    long seconds = duration.getSeconds();
    return duration.getNano() > 0 ? seconds + 1 : seconds;
  }
}
