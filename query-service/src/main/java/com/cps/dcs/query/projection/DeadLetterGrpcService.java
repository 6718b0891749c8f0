package com.cps.dcs.query.projection;

import com.cps.dcs.eventstore.pg.PgStoreException;
import com.cps.dcs.proto.ops.v1.DeadLetterServiceGrpc;
import com.cps.dcs.proto.ops.v1.ListDeadLettersRequest;
import com.cps.dcs.proto.ops.v1.ListDeadLettersResponse;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.stub.StreamObserver;

/** {@code ListDeadLetters}: the records the projections set aside, oldest first, for operators. */
public final class DeadLetterGrpcService extends DeadLetterServiceGrpc.DeadLetterServiceImplBase {
  static final int MAX_LIMIT = 1000;
  private final DeadLetters deadLetters;

  public DeadLetterGrpcService(DeadLetters deadLetters) {
    this.deadLetters = deadLetters;
  }

  @Override
  public void listDeadLetters(ListDeadLettersRequest request, StreamObserver<ListDeadLettersResponse> out) {
    if (request.getLimit() < 0 || request.getLimit() > MAX_LIMIT) {
      throw GrpcErrors.invalidArgument("limit", "must be within 0.." + MAX_LIMIT + " (0: 100)");
    }
    if (request.getAfterId() < 0) {
      throw GrpcErrors.invalidArgument("after_id", "must not be negative");
    }
    try {
      out.onNext(ListDeadLettersResponse.newBuilder().addAllDeadLetters(deadLetters.list(request.getAfterId(),
          request.getLimit() == 0 ? 100 : request.getLimit())).build());
    } catch (PgStoreException e) {
      throw GrpcErrors.unavailable("the query service's database is unavailable: " + e.getMessage());
    }
    out.onCompleted();
  }
}
