package dev.dispatcher.tools.chaos;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * What the chaos run must release on every exit path — daemons, held connections, the embedded
 * Postgres — closed last-registered first, once: by {@link #close()} on a normal or failed run,
 * by a shutdown hook on Ctrl-C or SIGTERM (the run's own {@code finally} does not get to run
 * then). A failure to close one resource is reported and the others are still closed.
 */
final class Cleanup implements AutoCloseable {

  private record Entry(String what, AutoCloseable resource) {}

  private final Deque<Entry> resources = new ArrayDeque<>(); // guarded by this
  private final Thread hook = new Thread(this::closeFromHook, "chaos-cleanup");
  private boolean closed; // guarded by this

  Cleanup() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Registers a resource; returns it. After {@link #close()} it is closed at once. */
  <T extends AutoCloseable> T add(String what, T resource) {
    boolean closeNow;
    synchronized (this) {
      closeNow = closed;
      if (!closeNow) {
        resources.push(new Entry(what, resource));
      }
    }
    if (closeNow) {
      closeOne(new Entry(what, resource));
    }
    return resource;
  }

  /** Closes a resource now and forgets it. */
  void release(AutoCloseable resource) {
    Entry found = null;
    synchronized (this) {
      for (Iterator<Entry> it = resources.iterator(); it.hasNext();) {
        Entry entry = it.next();
        if (entry.resource() == resource) {
          it.remove();
          found = entry;
          break;
        }
      }
    }
    if (found != null) {
      closeOne(found);
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs or is about to: it finds everything closed
    }
    closeAll();
  }

  private void closeFromHook() {
    System.err.println("chaos: stopping: cleaning up daemons, connections and Postgres");
    closeAll();
  }

  /** Synchronized as a whole: a second caller (the hook during a normal close) returns once everything is closed. */
  private synchronized void closeAll() {
    closed = true;
    while (!resources.isEmpty()) {
      closeOne(resources.pop());
    }
  }

  private static void closeOne(Entry entry) {
    try {
      entry.resource().close();
    } catch (Exception e) {
      System.err.println("chaos: could not close " + entry.what() + ": " + e);
    }
  }
}
