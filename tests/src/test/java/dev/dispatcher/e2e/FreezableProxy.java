package dev.dispatcher.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP proxy on 127.0.0.1 that can silently stop forwarding: after {@link #freeze()} the
 * connections open at that moment stay open but carry nothing more, in either direction, like a
 * dead route or a frozen server. New connections are forwarded as usual. {@link #down()} drops
 * every connection and refuses new ones (the database is gone), {@link #up()} accepts again on
 * the same port.
 */
final class FreezableProxy implements AutoCloseable {

  private final class Pair {
    final Socket client;
    final Socket server;
    final CountDownLatch thawed = new CountDownLatch(1);
    volatile boolean frozen;

    Pair(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void pump(InputStream in, OutputStream out) {
      byte[] buffer = new byte[16 * 1024];
      try {
        int read;
        while ((read = in.read(buffer)) >= 0) {
          if (frozen) {
            thawed.await(); // hold the bytes: nothing more gets through
          }
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the proxy or one side closed
      } finally {
        closeQuietly(client);
        closeQuietly(server);
      }
    }
  }

  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final List<Pair> pairs = new CopyOnWriteArrayList<>();
  private volatile ServerSocket listener;
  private Thread acceptor;

  FreezableProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.port = listener.getLocalPort();
    this.acceptor = Thread.ofPlatform().daemon(true).name("proxy-accept").start(this::accept);
  }

  int port() {
    return port;
  }

  /** Drops every connection and refuses new ones until {@link #up()}. */
  void down() throws IOException, InterruptedException {
    listener.close();
    acceptor.join(5_000);
    for (Pair pair : pairs) {
      pair.thawed.countDown();
      closeQuietly(pair.client);
      closeQuietly(pair.server);
    }
    pairs.clear();
  }

  /** Accepts connections again, on the same port. */
  void up() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    listener = socket;
    acceptor = Thread.ofPlatform().daemon(true).name("proxy-accept").start(this::accept);
  }

  /** Open connections stop forwarding; they are not closed. */
  void freeze() {
    pairs.forEach(pair -> pair.frozen = true);
  }

  private void accept() {
    ServerSocket socket = listener;
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket server = new Socket(targetHost, targetPort);
        Pair pair = new Pair(client, server);
        pairs.add(pair);
        InputStream fromClient = client.getInputStream();
        OutputStream toServer = server.getOutputStream();
        InputStream fromServer = server.getInputStream();
        OutputStream toClient = client.getOutputStream();
        Thread.ofVirtual().start(() -> pair.pump(fromClient, toServer));
        Thread.ofVirtual().start(() -> pair.pump(fromServer, toClient));
      } catch (IOException e) {
        // closed, or the target refused: the client sees its connection fail
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Pair pair : pairs) {
      pair.thawed.countDown();
      closeQuietly(pair.client);
      closeQuietly(pair.server);
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
