package com.cps.dcs.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Free loopback ports, never the same one twice in one JVM. */
public final class FreePorts {
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /**
   * Ports below the kernel's ephemeral range (Linux: 32768 up), which outgoing connections never take: a port from
   * {@code new ServerSocket(0)} is in that range, and a client connection (to PostgreSQL, Kafka, a peer) could take
   * it between the check and the child process binding it, as a regional node's Raft port once was.
   */
  static final int LOW = 20_000;
  static final int HIGH = 32_767;

  public static synchronized int allocate() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(LOW, HIGH + 1);
      if (!HANDED_OUT.contains(port) && free(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port in " + LOW + "-" + HIGH + " after 1000 attempts");
  }

  /** Nothing listens on {@code port}, on any address (the services bind the wildcard address). */
  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new java.net.InetSocketAddress(port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static int[] allocate(int n) {
    int[] ports = new int[n];
    for (int i = 0; i < n; i++) {
      ports[i] = allocate();
    }
    return ports;
  }
}
