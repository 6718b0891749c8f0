package com.cps.dcs.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {
  ServerSocket echo;
  TcpProxy proxy;

  @BeforeEach
  void start() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread.ofVirtual().start(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException ignored) {
              // the peer went away
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
    proxy = new TcpProxy("127.0.0.1", echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  Socket client() throws IOException {
    Socket s = new Socket("127.0.0.1", proxy.port());
    s.setSoTimeout(2000);
    return s;
  }

  static byte[] roundTrip(Socket s, byte[] b) throws IOException {
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
    byte[] back = new byte[b.length];
    new DataInputStream(s.getInputStream()).readFully(back);
    return back;
  }

  @Test
  void forwardsBothWays() throws IOException {
    try (Socket s = client()) {
      assertThat(roundTrip(s, "hello".getBytes())).isEqualTo("hello".getBytes());
    }
    assertThat(proxy.upstreamBytes()).isEqualTo(5);
  }

  @Test
  void aCutResetsOpenConnectionsAndRefusesNewOnesUntilRestored() throws Exception {
    Socket open = client();
    roundTrip(open, "a".getBytes());
    proxy.cut();
    assertThatThrownBy(() -> {
      for (int i = 0; i < 10; i++) {
        roundTrip(open, "b".getBytes());
      }
    }).isInstanceOf(IOException.class);
    try (Socket s = client()) {
      assertThatThrownBy(() -> roundTrip(s, "c".getBytes())).isInstanceOf(IOException.class);
    }
    proxy.restore();
    try (Socket s = client()) {
      assertThat(roundTrip(s, "d".getBytes())).isEqualTo("d".getBytes());
    }
    open.close();
  }

  @Test
  void aStallHoldsBytesUntilRestored() throws Exception {
    try (Socket s = client()) {
      roundTrip(s, "x".getBytes());
      proxy.stall();
      s.getOutputStream().write("held".getBytes());
      s.getOutputStream().flush();
      s.setSoTimeout(500);
      assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      proxy.restore();
      s.setSoTimeout(2000);
      byte[] back = new byte[4];
      new DataInputStream(s.getInputStream()).readFully(back);
      assertThat(back).isEqualTo("held".getBytes());
    }
  }

  @Test
  void cutsInTheMiddleOfAStreamAfterTheGivenBytes() throws Exception {
    try (Socket s = client()) {
      proxy.cutAfterUpstreamBytes(3);
      assertThat(roundTrip(s, "abc".getBytes())).isEqualTo("abc".getBytes());
      assertThatThrownBy(() -> {
        for (int i = 0; i < 10; i++) {
          roundTrip(s, "z".getBytes());
        }
      }).isInstanceOf(IOException.class);
    }
    assertThat(proxy.isCut()).isTrue();
    assertThat(proxy.upstreamBytes()).isEqualTo(3);
  }
}
