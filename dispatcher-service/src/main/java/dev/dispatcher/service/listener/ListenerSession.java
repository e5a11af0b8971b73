package dev.dispatcher.service.listener;

import com.impossibl.postgres.api.jdbc.PGNotificationListener;
import dev.dispatcher.service.storage.ListenStatements;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One LISTEN connection of the listener and what its driver has reported about it. Every
 * connection gets a session of its own and the driver's callbacks reach only that session:
 * pgjdbc-ng calls {@code closed()} from its I/O thread, which can be seconds after the connection
 * was closed and a new one has taken over, and that late call must end nothing but its own
 * connection. State marked "guarded" is guarded by the listener's lock; every change signals the
 * listener's condition, on which the supervisor waits.
 */
final class ListenerSession implements PGNotificationListener {

  /** The self-check in flight, if any. */
  private static final class Check {
    final String payload;
    boolean answered; // the notification came back through the driver
    boolean sent; // the NOTIFY statement completed
    String error; // the NOTIFY statement failed

    Check(String payload) {
      this.payload = payload;
    }
  }

  private final long number;
  private final String privateChannel;
  private final ListenStatements statements;
  private final NotificationSink sink;
  private final ReentrantLock lock;
  private final Condition changed;
  private volatile Connection connection;
  private volatile long lastActivityNanos = System.nanoTime();
  private String lostCause; // guarded
  private Check check; // guarded

  ListenerSession(long number, String privateChannel, ListenStatements statements, NotificationSink sink, ReentrantLock lock,
      Condition changed) {
    this.number = number;
    this.privateChannel = privateChannel;
    this.statements = statements;
    this.sink = sink;
    this.lock = lock;
    this.changed = changed;
  }

  /** 1 for the listener's first connection, 2 for the one after it, and so on. */
  long number() {
    return number;
  }

  void opened(Connection opened) {
    this.connection = opened;
  }

  /** The driver's connection, or null before it is open. */
  Connection connection() {
    return connection;
  }

  /** Restarts the quiet time, as if a notification had just come. */
  void touch() {
    lastActivityNanos = System.nanoTime();
  }

  long quietNanos() {
    return System.nanoTime() - lastActivityNanos;
  }

  /** Why the driver says this connection is gone, or null while it says nothing. Caller holds the lock. */
  String lostCause() {
    return lostCause;
  }

  /** From the driver's I/O thread. Notifications of a replaced connection still reach the sink: they were published. */
  @Override
  public void notification(int processId, String channel, String payload) {
    lastActivityNanos = System.nanoTime();
    if (privateChannel.equals(channel)) {
      update(() -> {
        if (check != null && check.payload.equals(payload)) {
          check.answered = true;
        }
      });
    } else {
      sink.accept(channel, payload);
    }
  }

  /** From the driver's I/O thread, when this connection has closed (also after the supervisor closed it). */
  @Override
  public void closed() {
    update(() -> {
      if (lostCause == null) {
        lostCause = "connection #" + number + " closed (by the server, the network or the driver)";
      }
    });
  }

  /** Starts waiting for {@code payload} on the private channel. */
  void beginCheck(String payload) {
    update(() -> check = new Check(payload));
  }

  /**
   * NOTIFYs the private channel on this session; Postgres delivers a session's NOTIFY back to it
   * when it listens on the channel. Runs on a thread of its own, never the driver's I/O thread (a
   * statement there deadlocks); the connection's network timeout ends it on a dead peer.
   */
  void sendCheck(String payload) {
    String outcome = null;
    try {
      statements.notifySelf(connection, privateChannel, payload);
    } catch (SQLException | RuntimeException e) {
      outcome = PgNotifyListener.describe(e);
    }
    String error = outcome;
    update(() -> {
      if (check != null && check.payload.equals(payload)) {
        check.sent = error == null;
        check.error = error;
      }
    });
  }

  /** True once the check in flight has an outcome. Caller holds the lock. */
  boolean checkDone() {
    return check == null || check.error != null || (check.sent && check.answered);
  }

  /**
   * Ends the check in flight: null when it passed, else what went wrong (the statement failed,
   * did not complete, or completed without its notification coming back). Caller holds the lock.
   */
  String endCheck() {
    Check ended = check;
    check = null;
    if (ended == null) {
      return "no check in flight";
    }
    if (ended.error != null) {
      return "NOTIFY failed: " + ended.error;
    }
    if (!ended.sent) {
      return "NOTIFY did not complete";
    }
    return ended.answered ? null : "NOTIFY completed but its notification did not come back";
  }

  /** Changes guarded state and wakes the supervisor. */
  private void update(Runnable change) {
    lock.lock();
    try {
      change.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
