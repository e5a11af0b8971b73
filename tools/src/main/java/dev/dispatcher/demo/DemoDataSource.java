package dev.dispatcher.demo;

import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import javax.sql.DataSource;

/**
 * The demo tasks' own connection pool, as an application's tasks would have one. The address
 * comes from {@code DISPATCHER_DATABASE_URL} (the demo sets it for the daemon), else the database
 * {@code make postgres} starts. Created on first use.
 */
final class DemoDataSource {

  static final String DEMO_URL = "postgresql://dispatch:dispatching@127.0.0.1:55777/dispatch_db";

  private HikariDataSource pool;

  synchronized DataSource get() {
    if (pool == null) {
      String url = System.getenv("DISPATCHER_DATABASE_URL");
      pool = ConnectionPools.create(DatabaseUrl.parse(url == null || url.isBlank() ? DEMO_URL : url), "demo-tasks", 8);
    }
    return pool;
  }
}
