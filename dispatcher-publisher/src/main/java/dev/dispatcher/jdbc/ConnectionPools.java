package dev.dispatcher.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

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
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url.withDefaultOption("ApplicationName", name).pgjdbcUrl());
    config.setUsername(url.user());
    config.setPassword(url.password());
    config.setMaximumPoolSize(maxSize);
    config.setMinimumIdle(0);
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
  }
}
