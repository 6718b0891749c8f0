package com.cps.dcs.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback between a client and one server, for network faults in multi-process tests. It forwards
 * bytes both ways until told otherwise:
 * <ul>
 *   <li>{@link #cut()}: every open connection is reset at once and new ones are accepted and reset straight away
 *       (a link that is down), until {@link #restore()};</li>
 *   <li>{@link #stall()}: connections stay open but no byte moves in either direction (a link that hangs), until
 *       {@link #restore()}, when the held bytes flow on;</li>
 *   <li>{@link #cutAfterUpstreamBytes(long)}: forwards that many more client-to-server bytes, then cuts (a
 *       connection that breaks in the middle of a stream).</li>
 * </ul>
 * One thread per direction per connection (virtual threads); {@link #close()} releases the port and every socket.
 */
public final class TcpProxy implements AutoCloseable {
  private enum Mode { PASS, STALL, CUT }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private final AtomicLong upstreamBytes = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private volatile Mode mode = Mode.PASS;
  private volatile long cutAtUpstreamBytes = Long.MAX_VALUE;
  private volatile boolean closed;

  /** Listens on a free loopback port and forwards to {@code targetHost:targetPort}. */
  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.allocate()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for a proxy to " + targetHost + ":" + targetPort, e);
    }
    Thread.ofVirtual().name("tcp-proxy-accept-" + port()).start(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>}, to give a client instead of the server's address. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** Client-to-server bytes forwarded so far. */
  public long upstreamBytes() {
    return upstreamBytes.get();
  }

  /** Connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  /** Resets every connection and refuses new ones until {@link #restore()}. */
  public void cut() {
    mode = Mode.CUT;
    resetAll();
    synchronized (gate) {
      gate.notifyAll();
    }
  }

  /** Holds every byte in both directions until {@link #restore()}. */
  public void stall() {
    mode = Mode.STALL;
  }

  /** Forwards again (after a cut, new connections pass; after a stall, the held bytes move on). */
  public void restore() {
    cutAtUpstreamBytes = Long.MAX_VALUE;
    mode = Mode.PASS;
    synchronized (gate) {
      gate.notifyAll();
    }
  }

  /** Forwards {@code bytes} more client-to-server bytes, then behaves as {@link #cut()}. */
  public void cutAfterUpstreamBytes(long bytes) {
    cutAtUpstreamBytes = upstreamBytes.get() + bytes;
  }

  /** True once a cut armed by {@link #cutAfterUpstreamBytes(long)} has happened (or after {@link #cut()}). */
  public boolean isCut() {
    return mode == Mode.CUT;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      if (mode == Mode.CUT) {
        reset(client);
        continue;
      }
      Thread.ofVirtual().name("tcp-proxy-connect-" + port()).start(() -> connect(client));
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
    } catch (IOException e) {
      // The server is down: the client sees its connection closed, as it would see a refusal.
      reset(client);
      closeQuietly(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    if (mode == Mode.CUT || closed) {
      reset(client);
      reset(upstream);
      return;
    }
    Thread.ofVirtual().name("tcp-proxy-up-" + port()).start(() -> pump(client, upstream, true));
    Thread.ofVirtual().name("tcp-proxy-down-" + port()).start(() -> pump(upstream, client, false));
  }

  private void pump(Socket from, Socket to, boolean upstreamDirection) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          to.shutdownOutput();
          return;
        }
        int off = 0;
        while (off < n) {
          awaitPassing();
          if (mode == Mode.CUT) {
            throw new SocketException("cut");
          }
          int len = n - off;
          if (upstreamDirection) {
            long room = cutAtUpstreamBytes - upstreamBytes.get();
            if (room <= 0) {
              cut();
              throw new SocketException("cut");
            }
            len = (int) Math.min(len, room);
            upstreamBytes.addAndGet(len);
          }
          out.write(buf, off, len);
          out.flush();
          off += len;
        }
      }
    } catch (IOException e) {
      reset(from);
      reset(to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reset(from);
      reset(to);
    }
  }

  private void awaitPassing() throws InterruptedException {
    synchronized (gate) {
      while (mode == Mode.STALL && !closed) {
        gate.wait(100);
      }
    }
  }

  private void resetAll() {
    for (Socket s : open) {
      reset(s);
    }
  }

  /** Closes with a TCP reset (SO_LINGER 0), as a broken link looks to both ends. */
  private void reset(Socket s) {
    open.remove(s);
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // already closed
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // nothing to do
    }
    resetAll();
    synchronized (gate) {
      gate.notifyAll();
    }
  }
}
