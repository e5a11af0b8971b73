package dev.dispatcher.service.testing;

import dev.dispatcher.jdbc.DatabaseUrl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of the test database that can break a connection during COMMIT. Once
 * {@link #armCommitCut() armed}, the next client message carrying {@code COMMIT} goes through to
 * the server, and when the server answers (so the transaction is committed) the connection is
 * closed instead of passing the answer on; {@link #armCommitDrop()} closes it instead of passing
 * the COMMIT on (the server then aborts the transaction); {@link #armCommitHold()} closes only the
 * client's side (the server's session waits inside its transaction). Either way the client sees its
 * connection break during COMMIT, the ambiguous case: it cannot tell whether its transaction was
 * committed. Other connections, and this one until then, are forwarded as they are.
 */
public final class CommitCuttingProxy implements AutoCloseable {

  private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);

  private final DatabaseUrl target;
  private final ServerSocket listener;
  private final AtomicBoolean armed = new AtomicBoolean();
  private final AtomicBoolean dropArmed = new AtomicBoolean();
  private final AtomicBoolean holdArmed = new AtomicBoolean();
  private final AtomicInteger cuts = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  public CommitCuttingProxy(DatabaseUrl target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon(true).name("commit-cutter-accept").start(this::accept);
  }

  /** The database's address through this proxy. */
  public DatabaseUrl url() {
    return new DatabaseUrl("127.0.0.1", listener.getLocalPort(), target.database(), target.user(), target.password(), target.options());
  }

  /** Loses the answer to the next COMMIT (of any connection through the proxy). */
  public void armCommitCut() {
    armed.set(true);
  }

  /** Loses the next COMMIT itself: the server never gets it. */
  public void armCommitDrop() {
    dropArmed.set(true);
  }

  /**
   * Loses the next COMMIT as a network cut does: the client's side is closed, the server's is left
   * open and silent, so the server's session sits idle in its transaction, neither committed nor aborted.
   */
  public void armCommitHold() {
    holdArmed.set(true);
  }

  /** Connections closed instead of passing a COMMIT or its answer on. */
  public int cuts() {
    return cuts.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(target.host(), target.port());
        sockets.add(client);
        sockets.add(server);
        AtomicBoolean commitSent = new AtomicBoolean();
        Thread.ofVirtual().start(() -> pump(client, server, commitSent, true));
        Thread.ofVirtual().start(() -> pump(server, client, commitSent, false));
      } catch (IOException e) {
        // closed
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicBoolean commitSent, boolean fromClient) {
    byte[] buffer = new byte[64 * 1024];
    boolean held = false;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int read;
      while ((read = in.read(buffer)) >= 0) {
        if (fromClient && contains(buffer, read, COMMIT) && holdArmed.compareAndSet(true, false)) {
          cuts.incrementAndGet();
          held = true; // the server's socket stays open until close(): nothing tells its session
          break;
        }
        if (fromClient && contains(buffer, read, COMMIT) && dropArmed.compareAndSet(true, false)) {
          cuts.incrementAndGet();
          break;
        }
        if (fromClient && contains(buffer, read, COMMIT) && armed.compareAndSet(true, false)) {
          commitSent.set(true);
        } else if (!fromClient && commitSent.get()) {
          cuts.incrementAndGet(); // the server answered the COMMIT: committed, and the client never hears of it
          break;
        }
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      closeQuietly(from);
      if (!held) {
        closeQuietly(to);
      }
    }
  }

  private static boolean contains(byte[] buffer, int length, byte[] text) {
    for (int i = 0; i + text.length <= length; i++) {
      int j = 0;
      while (j < text.length && buffer[i + j] == text[j]) {
        j++;
      }
      if (j == text.length) {
        return true;
      }
    }
    return false;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closed already
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(CommitCuttingProxy::closeQuietly);
  }
}
