package com.cps.dcs.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.service.config.WebExposure;
import com.cps.dcs.testsupport.FreePorts;
import com.linecorp.armeria.server.Server;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.reflection.v1alpha.ServerReflectionGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionRequest;
import io.grpc.reflection.v1alpha.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service configured as in production (one allowed origin, no reflection, no /docs), over real sockets: a page of
 * another origin gets no CORS grant, reflection and the API page are not served, the API itself is.
 */
class WebExposureIT {
  static final String ALLOWED = "http://localhost:3001";
  static Server server;
  static int port;
  static ManagedChannel channel;

  @BeforeAll
  static void start() {
    port = FreePorts.allocate();
    WebExposure exposure = WebExposure.from(Map.of(WebExposure.CORS, ALLOWED, WebExposure.REFLECTION, "false",
        WebExposure.DOCS, "false")::get, List.of());
    server = DcsGrpcServer.builder().port(port).addService(new DcsGrpcServerIT.Plane()).exposure(exposure).build();
    server.start().join();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop().join();
  }

  static HttpResponse<String> preflight(String origin) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/messages.ControlPlane/Ping"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,x-grpc-web").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void onlyTheConfiguredOriginIsGrantedCors() throws Exception {
    assertThat(preflight(ALLOWED).headers().firstValue("access-control-allow-origin")).contains(ALLOWED);
    HttpResponse<String> foreign = preflight("https://evil.example");
    assertThat(foreign.headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  @Test
  void reflectionAndTheApiPageAreNotServedButTheApiIs() throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    var requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
      @Override
      public void onNext(ServerReflectionResponse r) {
        answer.complete(r);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    requests.onCompleted();
    try {
      answer.get(10, TimeUnit.SECONDS);
      throw new AssertionError("reflection answered");
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(Status.fromThrowable(e.getCause()).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
    HttpResponse<String> docs = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/docs/")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(docs.statusCode()).isEqualTo(404);
    assertThat(com.cps.dcs.proto.controlplane.ControlPlaneGrpc.newBlockingStub(channel)
        .ping(com.cps.dcs.proto.controlplane.Empty.getDefaultInstance()).getHost()).isEqualTo("node-a");
  }
}
