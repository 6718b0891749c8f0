package com.cps.dcs.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.proto.controlplane.ControlPlaneGrpc;
import com.cps.dcs.proto.controlplane.Empty;
import com.cps.dcs.proto.controlplane.NegotiateReply;
import com.cps.dcs.proto.controlplane.NegotiateRequest;
import com.cps.dcs.proto.controlplane.PingReply;
import com.cps.dcs.testsupport.FreePorts;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.linecorp.armeria.server.Server;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionRequest;
import io.grpc.reflection.v1alpha.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One port answers gRPC, gRPC-Web and JSON, with health, reflection, error details and CORS, over real sockets. */
class DcsGrpcServerIT {
  static final AtomicBoolean healthy = new AtomicBoolean(true);
  static Server server;
  static int port;
  static ManagedChannel channel;

  /** A small real ControlPlane: Ping answers the host, Negotiate refuses an empty view. */
  static final class Plane extends ControlPlaneGrpc.ControlPlaneImplBase {
    @Override
    public void ping(Empty request, StreamObserver<PingReply> out) {
      out.onNext(PingReply.newBuilder().setHost("node-a").setUnixTime(System.currentTimeMillis() / 1000).build());
      out.onCompleted();
    }

    @Override
    public void negotiate(NegotiateRequest request, StreamObserver<NegotiateReply> out) {
      if (request.getKnownHostsCount() == 0) {
        throw GrpcErrors.invalidArgument("known_hosts", "must list at least the caller itself");
      }
      out.onNext(NegotiateReply.newBuilder().addHosts("node-a").addAllHosts(request.getKnownHostsList()).build());
      out.onCompleted();
    }
  }

  @BeforeAll
  static void start() {
    port = FreePorts.allocate();
    server = DcsGrpcServer.builder().port(port).addService(new Plane()).corsAllowAllOrigins()
        .healthy(healthy::get).build();
    server.start().join();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop().join();
  }

  @Test
  void answersPlainGrpc() {
    assertThat(ControlPlaneGrpc.newBlockingStub(channel).ping(Empty.getDefaultInstance()).getHost())
        .isEqualTo("node-a");
  }

  @Test
  void answersGrpcWebFromABrowserStyleRequest() throws Exception {
    byte[] message = NegotiateRequest.newBuilder().addKnownHosts("node-b").build().toByteArray();
    ByteBuffer frame = ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message);
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/messages.ControlPlane/Negotiate"))
            .header("content-type", "application/grpc-web+proto").header("x-grpc-web", "1")
            .header("origin", "http://localhost:3000")
            .POST(HttpRequest.BodyPublishers.ofByteArray(frame.array())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("access-control-allow-origin")).isPresent();
    ByteBuffer body = ByteBuffer.wrap(r.body());
    assertThat(body.get()).isEqualTo((byte) 0); // a data frame first, then the trailers frame
    byte[] reply = new byte[body.getInt()];
    body.get(reply);
    assertThat(NegotiateReply.parseFrom(reply).getHostsList()).containsExactly("node-a", "node-b");
  }

  @Test
  void answersJson() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/messages.ControlPlane/Negotiate"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"knownHosts\":[\"node-c\"]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("node-c");
  }

  @Test
  void errorDetailsSurviveTheWire() {
    assertThatThrownBy(() -> ControlPlaneGrpc.newBlockingStub(channel).negotiate(NegotiateRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          var status = GrpcErrors.statusOf(e);
          assertThat(status.getCode()).isEqualTo(com.google.rpc.Code.INVALID_ARGUMENT_VALUE);
          assertThat(GrpcErrors.detail(status, BadRequest.class).orElseThrow().getFieldViolations(0).getField())
              .isEqualTo("known_hosts");
          assertThat(GrpcErrors.detail(status, ErrorInfo.class).orElseThrow().getDomain()).isEqualTo("dcs.cps.com");
        });
  }

  @Test
  void healthFollowsTheSupplier() throws Exception {
    var health = HealthGrpc.newBlockingStub(channel);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    healthy.set(false);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      HealthCheckResponse.ServingStatus s;
      do {
        s = health.check(HealthCheckRequest.getDefaultInstance()).getStatus();
      } while (s == HealthCheckResponse.ServingStatus.SERVING && System.nanoTime() < deadline);
      assertThat(s).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
    } finally {
      healthy.set(true);
    }
  }

  @Test
  void reflectionListsTheServices() throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    var requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
      @Override
      public void onNext(ServerReflectionResponse r) {
        names.complete(r.getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList());
      }

      @Override
      public void onError(Throwable t) {
        names.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    assertThat(names.get(10, TimeUnit.SECONDS)).contains("messages.ControlPlane", "grpc.health.v1.Health");
    requests.onCompleted();
  }

  @Test
  void answersCorsPreflight() throws Exception {
    HttpResponse<Void> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/messages.ControlPlane/Ping"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("origin", "http://localhost:3000")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,x-grpc-web").build(),
        HttpResponse.BodyHandlers.discarding());
    assertThat(r.headers().firstValue("access-control-allow-origin")).isPresent();
    assertThat(r.headers().firstValue("access-control-allow-headers").orElse("")).contains("x-grpc-web");
  }
}
