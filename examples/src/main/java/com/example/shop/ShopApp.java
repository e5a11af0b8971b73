package com.example.shop;

import dev.dispatcher.Publisher;
import dev.dispatcher.jdbc.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The example application: stores orders in its own table and publishes {@link ShopTasks} for the
 * daemon, once on their own and once inside the transaction that stores an order (delivered on
 * commit, never on rollback). Prints one line per submission: what happened to it, its uuid and
 * the call.
 *
 * <pre>
 * java -cp 'examples/target/dispatcher-example.jar:examples/target/lib/*' com.example.shop.ShopApp [DATABASE_URL]
 * </pre>
 *
 * The URL defaults to {@code $DATABASE_URL}, else the demo Postgres of {@code make postgres}.
 */
public final class ShopApp {

  static final String DEMO_URL = "postgresql://dispatch:dispatching@127.0.0.1:55777/dispatch_db";

  private ShopApp() {}

  public static void main(String[] args) throws SQLException {
    String url = args.length > 0 ? args[0] : System.getenv().getOrDefault("DATABASE_URL", DEMO_URL);
    // The application's own connection; in a real service, one from its pool.
    DatabaseUrl database = DatabaseUrl.parse(url);
    try (Publisher publisher = Publisher.builder().url(url).defaultChannel(ShopTasks.CHANNEL).build();
        Connection connection = DriverManager.getConnection(database.pgjdbcUrl(), database.user(), database.password())) {
      createTable(connection);

      // On their own: each is sent at once, in a transaction of its own.
      print("published", publisher.boundTask(ShopTasks::audit).delay("shop opened"), "audit(shop opened)");
      print("published", publisher.task(ShopTasks::restock).delay("sku-42", 10), "shop.restock(sku-42, 10)");

      // Inside the application's transaction: the daemon gets it when the order is committed...
      connection.setAutoCommit(false);
      long order = insertOrder(connection, "ada@example.com");
      String receipt = publisher.inTransaction(connection).task(ShopTasks::sendReceipt).delay(order, "ada@example.com");
      connection.commit();
      print("committed", receipt, "sendReceipt(" + order + ", ada@example.com)");

      // ...and never when it is rolled back.
      long cancelled = insertOrder(connection, "bob@example.com");
      String never = publisher.inTransaction(connection).task(ShopTasks::sendReceipt).delay(cancelled, "bob@example.com");
      connection.rollback();
      print("rolled-back", never, "sendReceipt(" + cancelled + ", bob@example.com)");
      connection.setAutoCommit(true);

      // Notifications are delivered in commit order: once this one ran, anything before it had arrived.
      print("published", publisher.boundTask(ShopTasks::audit).delay("shop closed"), "audit(shop closed)");
    }
  }

  private static void createTable(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS shop_orders (id bigserial PRIMARY KEY, email text NOT NULL,"
          + " placed_at timestamptz NOT NULL DEFAULT now())");
    }
  }

  private static long insertOrder(Connection connection, String email) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO shop_orders (email) VALUES (?) RETURNING id")) {
      insert.setString(1, email);
      try (ResultSet row = insert.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static void print(String what, String uuid, String call) {
    System.out.println(what + " " + uuid + " " + call);
  }
}
