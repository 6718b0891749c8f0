package com.cps.dcs.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Waiting for a port to accept connections. */
public final class Ports {
  private Ports() {}

  /**
   * Returns once {@code host:port} accepts a TCP connection.
   *
   * @throws IllegalStateException when it does not within {@code timeout}
   */
  public static void awaitOpen(String host, int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 200);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(host + ":" + port + " did not open within " + timeout);
        }
        try {
          Thread.sleep(50); // polling interval, not a wait for a condition by itself
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(ie);
        }
      }
    }
  }
}
