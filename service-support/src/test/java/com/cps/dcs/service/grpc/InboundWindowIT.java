package com.cps.dcs.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.FirstReply;
import com.cps.dcs.testsupport.FreePorts;
import com.linecorp.armeria.server.Server;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A client-streaming call with a request window gets every message, in order, however many the window is. */
class InboundWindowIT {
  static Server server;
  static ManagedChannel channel;

  /** Echoes the ids it received, in the order it received them; the window comes from the first message's type. */
  static final class Counting extends AccountingSwarmProtocolGrpc.AccountingSwarmProtocolImplBase {
    @Override
    public StreamObserver<SovereignFinancialEvent> streamOfflineEvents(StreamObserver<BatchAckResponse> out) {
      List<String> ids = new ArrayList<>();
      return InboundWindow.of(out, 7, new StreamObserver<>() {
        @Override
        public void onNext(SovereignFinancialEvent e) {
          ids.add(e.getEventId());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          BatchAckResponse.Builder r = BatchAckResponse.newBuilder().setTotalProcessed(ids.size());
          ids.forEach(id -> r.addIndividualResponses(AckResponse.newBuilder().setEventId(id)));
          out.onNext(r.build());
          out.onCompleted();
        }
      });
    }
  }

  @BeforeAll
  static void start() {
    int port = FreePorts.allocate();
    server = DcsGrpcServer.builder().port(port).addService(new Counting()).build();
    server.start().join();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop().join();
  }

  @ParameterizedTest
  @CsvSource({"0", "1", "3", "7", "8", "2501"})
  void everyMessageArrivesInOrder(int count) throws Exception {
    CompletableFuture<BatchAckResponse> done = new CompletableFuture<>();
    StreamObserver<SovereignFinancialEvent> in = AccountingSwarmProtocolGrpc.newStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS).streamOfflineEvents(FirstReply.into(done));
    for (int i = 0; i < count; i++) {
      in.onNext(SovereignFinancialEvent.newBuilder().setEventId("e" + i).build());
    }
    in.onCompleted();
    BatchAckResponse r = done.get(30, TimeUnit.SECONDS);
    assertThat(r.getTotalProcessed()).isEqualTo(count);
    for (int i = 0; i < count; i++) {
      assertThat(r.getIndividualResponses(i).getEventId()).isEqualTo("e" + i);
    }
  }

  @org.junit.jupiter.api.Test
  void refusesAWindowThatCannotBeHalved() {
    assertThatThrownBy(() -> InboundWindow.of(null, 1, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2");
  }
}
