package com.cps.dcs.regional.grpc;

import com.cps.dcs.eventstore.pg.PgStoreException;
import com.cps.dcs.eventstore.pg.region.RegionStore;
import com.cps.dcs.proto.ops.v1.ListQuarantinedRequest;
import com.cps.dcs.proto.ops.v1.ListQuarantinedResponse;
import com.cps.dcs.proto.ops.v1.QuarantineServiceGrpc;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.stub.StreamObserver;

/** {@code ListQuarantined}: the events this region set aside, in commit order, for operators ({@code ./dcs quarantine}). */
public final class QuarantineGrpcService extends QuarantineServiceGrpc.QuarantineServiceImplBase {
  static final int MAX_LIMIT = 1000;
  private final RegionStore store;

  public QuarantineGrpcService(RegionStore store) {
    this.store = store;
  }

  @Override
  public void listQuarantined(ListQuarantinedRequest request, StreamObserver<ListQuarantinedResponse> out) {
    if (request.getLimit() < 0 || request.getLimit() > MAX_LIMIT) {
      throw GrpcErrors.invalidArgument("limit", "must be within 0.." + MAX_LIMIT + " (0: 100)");
    }
    if (request.getAfterRaftIndex() < 0) {
      throw GrpcErrors.invalidArgument("after_raft_index", "must not be negative");
    }
    int limit = request.getLimit() == 0 ? 100 : request.getLimit();
    try {
      out.onNext(ListQuarantinedResponse.newBuilder().addAllEvents(store.quarantined(request.getBranchId(),
          request.getAfterRaftIndex(), request.getAfterRaftPos(), limit)).build());
    } catch (PgStoreException e) {
      throw GrpcErrors.unavailable("the region's database is unavailable: " + e.getMessage());
    }
    out.onCompleted();
  }
}
